-- Storing a result and checking a state of the parties take turns (until the transaction ends),
-- so a check never misses a result committed beside it. Key 7201914 (7201912 is `db init`'s,
-- 7201913 the event log's).
select pg_advisory_xact_lock(7201914)
