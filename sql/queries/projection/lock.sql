-- Serialise projection refreshes until the storing transaction ends, so two
-- workers never compute the same declared count from different snapshots.
select pg_advisory_xact_lock(:lock_key)
