-- Events committed after :after, in commit order: the stream's replay (Last-Event-ID) and the listener's catch-up.
-- A desk call's note is the desk's, never sent on the public stream (events since 0011 do not carry it).
select
    event_id,
    kind,
    payload - 'note' as payload,
    created_at
from pipeline.event
where event_id > :after
order by event_id limit :max_rows
