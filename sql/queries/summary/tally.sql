select
    party,
    seats,
    net,
    gains,
    losses,
    votes,
    vote_share_pct,
    baseline_seats
from results.party_tally
where seats > 0 or baseline_seats > 0 or votes > 0
order by seats desc, votes desc, baseline_seats desc
