-- The board's watch list: the Anglia marginals of sql/queries/anglia_marginals.sql, with GSS codes.
select b.gss_code, b.constituency, b.party, b.majority, b.swing_needed_pct, s.status, s.winner_party, s.outcome
from results.baseline_seats as b
join results.seat_status as s using (gss_code)
where (b.region = 'Eastern' or b.county = 'Northamptonshire' or b.constituency like 'Milton Keynes%')
  and b.majority < 2000
order by b.swing_needed_pct
