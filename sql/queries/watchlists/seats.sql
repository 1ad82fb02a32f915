-- The seats of one watch list (seeds/watch_lists.csv): those in any of its
-- regions or counties, named with any of its prefixes or listed by GSS code,
-- and held at the baseline by fewer votes than its cap (when it has one),
-- with what happened to them; ordered by the swing needed (percent, not votes).
-- Reads only results views, so the board's read-only role can run it too.
select
    b.constituency,
    b.party,
    b.majority,
    b.swing_needed_pct,
    s.winner_party,
    s.outcome,
    b.gss_code,
    s.status
from results.baseline_seats as b
inner join results.seat_status as s using (gss_code)
where (
    b.region = any(cast(:regions as text[]))
    or b.county = any(cast(:counties as text[]))
    or b.gss_code = any(cast(:gss_codes as text[]))
    or exists (
        select 1 from unnest(cast(:name_prefixes as text[])) as p (prefix)
        where starts_with(b.constituency, p.prefix)
    )
)
and (cast(:max_majority as integer) is null or b.majority < cast(:max_majority as integer))
order by b.swing_needed_pct, b.constituency
