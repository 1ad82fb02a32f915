-- The agency's latest state of the parties beside ours (the documented view,
-- whole), and how many disagreements the night raised.
select
    c.*,
    (
        select count(*) from results.alerts as a
        where a.kind = 'disagreement'
    ) as disagreements
from results.agency_check as c
order by c.agency_seats desc, c.party asc
