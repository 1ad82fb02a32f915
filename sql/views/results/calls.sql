-- One row per desk call of the election being counted, withdrawn or not.
create or replace view results.calls as
select
    c.call_id,
    c.gss_code,
    k.name as constituency,
    c.party,
    c.note,
    c.called_by,
    c.called_at,
    c.withdrawn_at
from pipeline.call as c
inner join pipeline.count_setting as s on c.election_id = s.counting_election_id
inner join pipeline.constituency as k on k.gss_code = c.gss_code
