-- One row per party code in the agency's latest state-of-the-parties message (highest N):
-- its seats and votes beside ours over exactly the constituencies it counts (pipeline.party_state_check).
create or replace view results.agency_check as
select
    c.number_of_results,
    c.party,
    c.agency_seats,
    c.our_seats,
    c.agency_votes,
    c.our_votes,
    c.agrees
from pipeline.party_state_check as c
where c.number_of_results = (
    select max(m.number_of_results)
    from pipeline.party_state as m
    inner join pipeline.count_setting as s on m.election_id = s.counting_election_id
)
