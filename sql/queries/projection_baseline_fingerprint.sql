-- Changes whenever the counted election's seats or their baseline votes do.
select
    s.counting_election_id,
    s.baseline_election_id,
    count(*) as n_rows,
    coalesce(sum(pr.votes::bigint * hashtext(ct.gss_code || pr.party_code)), 0)::text as digest
from pipeline.count_setting as s
join pipeline.contest as ct on ct.election_id = s.counting_election_id
left join pipeline.past_result as pr
    on pr.election_id = s.baseline_election_id and pr.gss_code = ct.gss_code
group by s.counting_election_id, s.baseline_election_id
