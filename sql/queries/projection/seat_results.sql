-- Every result declaration of the given seats (the current one and any it
-- superseded), its candidates and winner (as resolved), and which one is current.
select
    d.gss_code,
    d.declaration_id,
    st.result_declaration_id as current_id,
    c.party_code,
    c.votes,
    d.winner_party
from pipeline.declaration as d
inner join pipeline.seat_state as st on st.election_id = d.election_id and st.gss_code = d.gss_code
inner join pipeline.candidate as c on c.declaration_id = d.declaration_id
where
    d.election_id = :election_id and d.gss_code = any(:codes) and d.kind = 'result'
    and st.result_declaration_id is not null
order by d.declaration_id, c.position
