select
    alert_id,
    kind,
    message,
    raised_at
from results.alerts
order by alert_id
