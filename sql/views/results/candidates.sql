-- One row per candidate of each seat's current result in the counted election.
create or replace view results.candidates as
select
    st.gss_code,
    k.name as constituency,
    c.position,
    c.candidate_name,
    c.party_code as party,
    c.party_label,
    c.votes,
    round(pipeline.pct(c.votes, d.valid_votes), 2) as share_pct,
    c.elected,
    d.revision
from pipeline.seat_state as st
inner join pipeline.count_setting as s on st.election_id = s.counting_election_id
inner join pipeline.declaration as d on d.declaration_id = st.result_declaration_id
inner join pipeline.candidate as c on c.declaration_id = d.declaration_id
inner join pipeline.constituency as k on k.gss_code = st.gss_code
