-- The projected House for the summary and the report, largest first (no rows before the first result).
select
    party,
    declared_seats,
    projected_seats,
    low,
    high,
    declared_count,
    method
from results.projection
order by projected_seats desc, declared_seats desc, party asc
