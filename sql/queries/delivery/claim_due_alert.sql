-- The oldest undelivered alert that is due (its backoff over) and not tried
-- yet in this pass; locked until the attempt is recorded, skipping an alert
-- another deliverer holds, so no alert is ever posted by two at once and a
-- refused alert never stands in front of the others.
select
    alert_id,
    kind,
    gss_code,
    message,
    from_party,
    to_party,
    source,
    call_id,
    raised_at,
    declared_at,
    delivery_attempts
from pipeline.alert
where
    delivered_at is null
    and (next_attempt_at is null or next_attempt_at <= clock_timestamp())
    and alert_id <> all(cast(:tried as bigint[]))
order by alert_id
limit 1
for update skip locked
