-- A desk call raises at most one alert of each kind (its flip when made, its
-- retraction when withdrawn): a retry inserts nothing.
insert into pipeline.alert (
    election_id, gss_code, kind, from_party, to_party, source, call_id, message, declared_at
)
values (
    :election_id, :gss_code, :kind, :from_party, :to_party, :source, :call_id, :message, :declared_at
)
on conflict (call_id, kind) do nothing
returning alert_id
