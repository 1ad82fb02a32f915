select
    status,
    count(*) as seats
from results.seat_status
group by status
