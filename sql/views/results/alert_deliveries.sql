-- One row per delivery attempt of an alert of the counted election, oldest
-- first: what the receiver answered. At least once: a deliverer killed
-- between its POST and this record sends the alert again, with the same
-- Idempotency-Key (the alert_id), and only the second attempt is recorded.
create or replace view results.alert_deliveries as
select
    d.attempt_id,
    d.alert_id,
    d.attempted_at,
    d.receiver,
    d.status_code,
    d.error,
    d.delivered
from pipeline.alert_delivery as d
inner join pipeline.alert as a on a.alert_id = d.alert_id
inner join pipeline.count_setting as s on a.election_id = s.counting_election_id
