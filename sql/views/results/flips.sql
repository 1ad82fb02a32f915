-- One row per declared seat whose winner differs from its baseline (2017) winner.
create or replace view results.flips as
select
    gss_code,
    constituency,
    region,
    baseline_party,
    winner_party,
    majority,
    swing_pct,
    swing_needed_pct,
    declared_at
from results.seat_status
where status = 'declared' and outcome = 'gain'
