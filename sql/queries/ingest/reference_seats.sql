-- The seats contested in the counted election, with their registered electorate.
select
    k.gss_code,
    k.name,
    k.name_key,
    ct.electorate
from pipeline.contest as ct
inner join pipeline.constituency as k on k.gss_code = ct.gss_code
where ct.election_id = :election_id
