-- One state-of-the-parties message: its N, how many constituencies it lists, whether it was checked.
select
    m.election_id,
    m.number_of_results,
    (
        select count(*) from pipeline.party_state_seat as s
        where s.party_state_id = m.party_state_id
    ) as listed,
    m.checked_at
from pipeline.party_state as m
where m.party_state_id = :party_state_id
