-- A state-of-the-parties message raises at most one alert of each kind: a retry inserts nothing.
insert into pipeline.alert (election_id, gss_code, kind, source, party_state_id, message, declared_at)
values (:election_id, null, :kind, :source, :party_state_id, :message, null)
on conflict (party_state_id, kind) do nothing
returning alert_id
