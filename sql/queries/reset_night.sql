-- Forget the night: every received or fetched file, declaration, desk call, seat state and alert.
-- The schema, the seeds and the count setting stay. For rehearsals and tests.
truncate pipeline.alert, pipeline.call, pipeline.seat_state, pipeline.candidate, pipeline.receipt,
    pipeline.declaration, pipeline.raw_file, pipeline.fetched_file restart identity cascade
