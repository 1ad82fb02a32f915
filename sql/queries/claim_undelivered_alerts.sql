-- Alerts not yet delivered, oldest first; locked so two deliverers never send one twice.
select alert_id, kind, gss_code, message, from_party, to_party, source, raised_at
from pipeline.alert
where delivered_at is null
order by alert_id
limit :limit
for update skip locked
