-- One row per constituency of the baseline election (2017 by default):
-- who held it, who came second, and by how much.
create or replace view results.baseline_seats as
select
    b.gss_code,
    k.name as constituency,
    k.region,
    k.county,
    k.country,
    b.winner_party as party,
    b.runner_up_party as runner_up,
    b.winner_votes as votes,
    b.runner_up_votes,
    b.valid_votes,
    b.majority,
    round(b.majority_pct, 2) as majority_pct,
    round(b.swing_needed_pct, 2) as swing_needed_pct
from pipeline.past_seat as b
inner join pipeline.count_setting as s on b.election_id = s.baseline_election_id
inner join pipeline.constituency as k on k.gss_code = b.gss_code
