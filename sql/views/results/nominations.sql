-- One row per candidate in the latest nominations revision of each constituency of the counted election.
create or replace view results.nominations as
with latest as (
    select distinct on (n.gss_code)
        n.nomination_id,
        n.gss_code,
        n.revision,
        n.received_at
    from pipeline.nomination as n
    inner join pipeline.count_setting as s on n.election_id = s.counting_election_id
    order by n.gss_code asc, n.revision desc
)

select
    l.gss_code,
    k.name as constituency,
    c.position,
    c.candidate_name as candidate,
    c.party_code as party,
    c.party_label,
    c.sitting_member,
    l.revision,
    l.received_at
from latest as l
inner join pipeline.nominee as c on c.nomination_id = l.nomination_id
inner join pipeline.constituency as k on k.gss_code = l.gss_code
