select
    file_name,
    reason
from results.quarantine
order by received_at
