-- The constituencies a state-of-the-parties message counts for which we hold no current result.
select k.name
from pipeline.party_state_seat as s
join pipeline.party_state as m on m.party_state_id = s.party_state_id
join pipeline.constituency as k on k.gss_code = s.gss_code
left join pipeline.current_result as cr on cr.election_id = m.election_id and cr.gss_code = s.gss_code
where s.party_state_id = :party_state_id and cr.gss_code is null
order by k.name
