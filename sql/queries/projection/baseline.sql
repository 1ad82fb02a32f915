-- One row per seat of the counted election: its region, country and baseline votes by party.
select
    ct.gss_code,
    k.region,
    k.country,
    coalesce(array_agg(pr.party_code order by pr.party_code) filter (where pr.party_code is not null), '{}')
        as parties,
    coalesce(array_agg(pr.votes order by pr.party_code) filter (where pr.party_code is not null), '{}') as votes
from pipeline.count_setting as s
inner join pipeline.contest as ct on ct.election_id = s.counting_election_id
inner join pipeline.constituency as k on k.gss_code = ct.gss_code
left join pipeline.past_result as pr
    on pr.election_id = s.baseline_election_id and pr.gss_code = ct.gss_code
group by ct.gss_code, k.region, k.country
