-- The states of the parties still waiting for a result that list any of these seats, oldest first.
select distinct
    m.party_state_id,
    m.number_of_results
from pipeline.party_state as m
inner join pipeline.party_state_seat as s on s.party_state_id = m.party_state_id
where m.checked_at is null and s.gss_code = any(cast(:gss_codes as text[]))
order by m.number_of_results
