-- The constituencies a state-of-the-parties message counts for which we hold no current result.
select k.name
from pipeline.party_state_seat as s
inner join pipeline.party_state as m on m.party_state_id = s.party_state_id
inner join pipeline.constituency as k on k.gss_code = s.gss_code
left join pipeline.seat_state as st
    on st.election_id = m.election_id and st.gss_code = s.gss_code and st.result_declaration_id is not null
where s.party_state_id = :party_state_id and st.gss_code is null
order by k.name
