-- One row per (attacking party, seat it does not hold in the baseline) among the
-- seats where that party came second: ranked by the swing it needs, which is
-- half the baseline majority in percent of valid votes (not the raw majority).
create or replace view results.targets as
select
    b.runner_up_party as attacking_party,
    row_number() over (
        partition by b.runner_up_party order by b.swing_needed_pct, b.gss_code
    ) as rank,
    b.gss_code,
    k.name as constituency,
    k.region,
    b.winner_party as defending_party,
    b.majority as baseline_majority,
    round(b.majority_pct, 2) as baseline_majority_pct,
    round(b.swing_needed_pct, 2) as swing_needed_pct,
    case
        when ss.winner_party is null then 'awaiting'
        when ss.winner_party = b.runner_up_party then 'gained'
        else 'missed'
    end as status
from pipeline.past_seat as b
inner join pipeline.count_setting as s on b.election_id = s.baseline_election_id
inner join pipeline.contest as ct on ct.election_id = s.counting_election_id and ct.gss_code = b.gss_code
inner join pipeline.constituency as k on k.gss_code = b.gss_code
left join results.seat_status as ss on ss.gss_code = b.gss_code
where b.runner_up_party is not null
