-- The counted election, a key that changes whenever the seeds may have, and
-- the projection's running sums. `db init` loads the seeds and then refreshes
-- pipeline.past_seat, which gives that materialised view a new relfilenode
-- every time: a constant-cost way to notice.
select
    s.counting_election_id,
    s.baseline_election_id || ':' || c.relfilenode::text as baseline_key,
    ps.baseline_key as state_key,
    ps.seat_declaration,
    ps.declared,
    ps.xtx,
    ps.xty,
    ps.ni_sum,
    ps.ni_n,
    ps.yty
from pipeline.count_setting as s
cross join pg_class as c
left join pipeline.projection_state as ps on ps.election_id = s.counting_election_id
where c.oid = 'pipeline.past_seat'::regclass
