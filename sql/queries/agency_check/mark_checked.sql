-- A state of the parties has been checked against our figures (raising its alert if they disagree).
update pipeline.party_state set checked_at = clock_timestamp()
where party_state_id = :party_state_id and checked_at is null
