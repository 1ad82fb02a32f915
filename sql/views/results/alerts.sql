-- One row per alert raised, never repeated. call_id names the desk call that
-- raised it (source desk), null for an alert a declaration raised. A
-- disagreement is about a state-of-the-parties message: no seat, its N.
-- Delivery (pipeline.delivery) is at least once: results.alert_deliveries lists each attempt.
create or replace view results.alerts as
select
    a.alert_id,
    a.kind,
    a.gss_code,
    k.name as constituency,
    a.from_party,
    a.to_party,
    a.source,
    a.call_id,
    a.message,
    a.raised_at,
    a.declared_at,
    a.delivered_at,
    a.delivery_attempts as attempts,
    a.delivery_error as last_error,
    a.next_attempt_at,
    ps.number_of_results
from pipeline.alert as a
inner join pipeline.count_setting as s on a.election_id = s.counting_election_id
left join pipeline.constituency as k on k.gss_code = a.gss_code
left join pipeline.party_state as ps on ps.party_state_id = a.party_state_id
