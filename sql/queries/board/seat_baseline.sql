-- The API: each party's votes and share in one seat at the baseline election.
select * from pipeline.baseline_shares(:gss_code)
order by votes desc, party asc
