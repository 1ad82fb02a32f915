-- One row per party code in the agency's latest state-of-the-parties message (highest N):
-- its seats, votes, gains and losses beside ours over exactly the constituencies it counts
-- (pipeline.party_state_check; gains count in `agrees` only where the baseline is shared).
create or replace view results.agency_check as
select
    c.number_of_results,
    c.party,
    c.agency_seats,
    c.our_seats,
    c.agency_votes,
    c.our_votes,
    c.agrees,
    c.agency_gains,
    c.our_gains,
    c.agency_losses,
    c.our_losses,
    c.baseline_shared
from pipeline.party_state_check as c
where c.number_of_results = (
    select max(m.number_of_results)
    from pipeline.party_state as m
    inner join pipeline.count_setting as s on m.election_id = s.counting_election_id
)
