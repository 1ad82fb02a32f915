select
    gss_code,
    winner_party,
    runner_up_party,
    majority_pct
from pipeline.past_seat
where election_id = :election_id
