-- The listening connection: the newest event id, where the fan-out starts.
select coalesce(max(event_id), 0) from pipeline.event
