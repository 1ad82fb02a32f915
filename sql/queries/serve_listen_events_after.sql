-- sqlfluff:templater:placeholder:param_style:pyformat
-- The listening connection (psycopg parameter style): events committed after %(after)s.
-- Without a desk call's note (serve_events_after says why).
select
    event_id,
    kind,
    payload - 'note' as payload,
    created_at
from pipeline.event
where event_id > %(after)s
order by event_id limit 10000
