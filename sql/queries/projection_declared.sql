-- One row per declared seat of the counted election: its current result's
-- votes by party, the elected candidate's party, and the declaration's id.
select
    st.gss_code,
    st.result_declaration_id as declaration_id,
    array_agg(c.party_code order by c.position) as parties,
    array_agg(c.votes order by c.position) as votes,
    (array_agg(c.party_code order by c.position) filter (where c.elected))[1] as winner
from pipeline.seat_state as st
join pipeline.count_setting as s on st.election_id = s.counting_election_id
join pipeline.candidate as c on c.declaration_id = st.result_declaration_id
where st.result_declaration_id is not null
group by st.gss_code, st.result_declaration_id
