select
    gss_code,
    constituency,
    winner_party,
    outcome
from results.seat_status
