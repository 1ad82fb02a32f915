-- Seconds until the next undelivered alert is due (0: one is due now; null: none waits).
select greatest(0, extract(epoch from min(coalesce(next_attempt_at, clock_timestamp())) - clock_timestamp()))
from pipeline.alert
where delivered_at is null
