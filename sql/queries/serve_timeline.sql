-- The board's time slider: when the counted election's first and latest declarations were stored.
select min(d.stored_at) as first_stored_at, max(d.stored_at) as last_stored_at, clock_timestamp() as now
from results.declarations as d
join results.seat_status as s using (gss_code)
