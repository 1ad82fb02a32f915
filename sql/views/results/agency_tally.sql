-- One row per party line in the agency's latest state-of-the-parties message (highest N) of the counted election.
create or replace view results.agency_tally as
with latest as (
    select
        m.party_state_id,
        m.number_of_results,
        m.received_at
    from pipeline.party_state as m
    inner join pipeline.count_setting as s on m.election_id = s.counting_election_id
    order by m.number_of_results desc
    limit 1
)

select
    l.number_of_results,
    p.party_code as party,
    p.party_label,
    p.seats,
    p.gains,
    p.losses,
    p.votes,
    round(p.share_pct, 2) as vote_share_pct,
    l.received_at
from latest as l
inner join pipeline.party_state_party as p on p.party_state_id = l.party_state_id
