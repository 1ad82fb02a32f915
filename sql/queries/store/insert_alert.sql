-- A declaration, or a desk call, raises at most one alert of each kind (a
-- call: its flip when made, its retraction when withdrawn): a retry inserts
-- nothing. One of :declaration_id and :call_id is given, the other null; each
-- is unique with the kind, and no other key can conflict.
insert into pipeline.alert (
    election_id, gss_code, kind, from_party, to_party, source, declaration_id, call_id, message, declared_at
)
values (
    :election_id,
    :gss_code,
    :kind,
    :from_party,
    :to_party,
    :source,
    :declaration_id,
    :call_id,
    :message,
    :declared_at
)
on conflict do nothing
returning alert_id
