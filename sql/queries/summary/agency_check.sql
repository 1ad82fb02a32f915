-- The agency's latest state of the parties beside ours, party by party, and the disagreements raised.
select
    c.number_of_results,
    c.party,
    c.agency_seats,
    c.our_seats,
    c.agency_votes,
    c.our_votes,
    c.agrees,
    (
        select count(*) from results.alerts as a
        where a.kind = 'disagreement'
    ) as disagreements
from results.agency_check as c
order by c.agency_seats desc, c.party asc
