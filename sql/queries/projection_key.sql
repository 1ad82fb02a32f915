-- The counted election and a key that changes whenever the seeds may have:
-- `db init` loads the seeds and then refreshes pipeline.past_seat, which gives
-- that materialised view a new relfilenode every time (a constant-cost check).
select
    s.counting_election_id,
    s.baseline_election_id || ':' || c.relfilenode::text as baseline_key
from pipeline.count_setting as s
cross join pg_class as c
where c.oid = 'pipeline.past_seat'::regclass
