-- One row per party of the night: seats won so far (declared results and
-- rushes), gains and losses against the baseline, and votes in the declared
-- results. A party of the night stood in the counted or the baseline
-- election's seeded results, or has a seat, a loss or votes tonight (a 2019
-- night lists no Reform UK, a 2024 night no Brexit Party until one stands).
create or replace view results.party_tally as
with known as (
    select winner_party, baseline_party, outcome from results.seat_status
    where winner_party is not null
),
won as (
    select winner_party as party, count(*) as seats, count(*) filter (where outcome = 'gain') as gains
    from known group by winner_party
),
lost as (
    select baseline_party as party, count(*) as losses
    from known where outcome = 'gain' group by baseline_party
),
votes as (
    select c.party_code as party, sum(c.votes) as votes
    from pipeline.seat_state as st
    join pipeline.count_setting as s on st.election_id = s.counting_election_id
    join pipeline.candidate as c on c.declaration_id = st.result_declaration_id
    group by c.party_code
),
base as (
    select b.winner_party as party, count(*) as baseline_seats
    from pipeline.past_seat as b
    join pipeline.count_setting as s on b.election_id = s.baseline_election_id
    group by b.winner_party
)
select
    p.party_code as party,
    coalesce(won.seats, 0) as seats,
    coalesce(won.gains, 0) as gains,
    coalesce(lost.losses, 0) as losses,
    coalesce(won.gains, 0) - coalesce(lost.losses, 0) as net,
    coalesce(votes.votes, 0) as votes,
    round(pipeline.pct(coalesce(votes.votes, 0), sum(votes.votes) over ()), 2) as vote_share_pct,
    coalesce(base.baseline_seats, 0) as baseline_seats
from pipeline.party as p
left join won on won.party = p.party_code
left join lost on lost.party = p.party_code
left join votes on votes.party = p.party_code
left join base on base.party = p.party_code
where won.party is not null or lost.party is not null or votes.party is not null or base.party is not null
   or exists (
        select 1
        from pipeline.past_result as pr
        join pipeline.count_setting as s
            on pr.election_id in (s.counting_election_id, s.baseline_election_id)
        where pr.party_code = p.party_code
    )
