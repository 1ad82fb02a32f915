-- The brief's example: seats in the Eastern region, Northamptonshire and Milton
-- Keynes held in 2017 by under 2,000 votes, with what happened to them. The
-- summary, report and board show the same list from seeds/watch_lists.csv
-- (tests/test_watchlists.py checks that the two agree).
select
    b.constituency,
    b.party,
    b.majority,
    b.swing_needed_pct,
    s.winner_party,
    s.outcome
from results.baseline_seats as b
inner join results.seat_status as s using (gss_code)
where
    (b.region = 'Eastern' or b.county = 'Northamptonshire' or b.constituency like 'Milton Keynes%')
    and b.majority < 2000
order by b.swing_needed_pct, b.constituency
