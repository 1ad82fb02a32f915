-- The listening connection (psycopg parameter style): events committed after %(after)s.
select event_id, kind, payload, created_at from pipeline.event
where event_id > %(after)s order by event_id limit 10000
