-- Release every inbox claim (session advisory lock) this connection holds.
select pg_advisory_unlock_all()
