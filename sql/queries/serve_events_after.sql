-- The events stream: events committed after :after, in commit order (replay for Last-Event-ID).
select event_id, kind, payload, created_at from pipeline.event
where event_id > :after order by event_id limit :max_rows
