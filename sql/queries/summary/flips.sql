select
    constituency,
    baseline_party,
    winner_party,
    majority,
    swing_pct,
    swing_needed_pct
from results.flips
order by declared_at, constituency
limit :limit
