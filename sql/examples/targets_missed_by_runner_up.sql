-- Example analyst query: the closest targets each party failed to take,
-- where it came second in 2017 and the seat has declared for someone else.
select
    attacking_party,
    rank,
    constituency,
    defending_party,
    swing_needed_pct
from results.targets
where status = 'missed' and rank <= 10
order by attacking_party, rank
