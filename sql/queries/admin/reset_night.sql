-- Forget the night: every received or fetched file, declaration, nominations list, state of the parties,
-- desk call, seat state and alert. The schema, the seeds and the count setting stay. For rehearsals and tests.
truncate pipeline.alert, pipeline.call, pipeline.seat_state, pipeline.candidate, pipeline.receipt,
pipeline.declaration, pipeline.nominee, pipeline.nomination, pipeline.party_state_party,
pipeline.party_state_seat, pipeline.party_state, pipeline.raw_file, pipeline.archive_failure,
pipeline.fetched_file restart identity cascade
