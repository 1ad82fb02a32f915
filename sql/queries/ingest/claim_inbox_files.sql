-- Claim files (by path) for this session, one row back per file claimed: a
-- session-level advisory lock keyed on the path, so overlapping ingest
-- runs do not read, parse and validate the same file twice. Released by
-- release_inbox_claims.sql, or by the connection closing if the task dies.
-- Only a hint: exactly-once comes from the receipt rows, not from this lock.
select name
from unnest(cast(:names as text[])) with ordinality as f (name, n)
where pg_try_advisory_lock(hashtextextended('resultsnight inbox claim:' || name, 0))
order by n
