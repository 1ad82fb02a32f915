-- A declaration raises at most one alert of each kind: a retry inserts nothing.
insert into pipeline.alert (
    election_id, gss_code, kind, from_party, to_party, source, declaration_id, message, declared_at
)
values (
    :election_id, :gss_code, :kind, :from_party, :to_party, :source, :declaration_id, :message, :declared_at
)
on conflict (declaration_id, kind) do nothing
returning alert_id
