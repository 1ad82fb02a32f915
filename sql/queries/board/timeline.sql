-- The board's time slider: from the counted election's first declaration or
-- desk call to its latest declaration, call or withdrawal.
with moments as (
    select d.stored_at as at
    from results.declarations as d
    inner join results.seat_status using (gss_code)
    union all
    select c.called_at from results.calls as c
    union all
    select c.withdrawn_at from results.calls as c
    where c.withdrawn_at is not null
)

select
    min(at) as first_stored_at,
    max(at) as last_stored_at,
    clock_timestamp() as now
from moments
