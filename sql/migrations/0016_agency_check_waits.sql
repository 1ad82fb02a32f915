-- resultsnight schema, revision 0016: a state of the parties is checked once we hold a result
-- for every seat it lists (or once it has waited too long), not when it happens to be ingested.
-- checked_at is when that happened; null: still waiting for one of its seats' results.
alter table pipeline.party_state add column checked_at timestamptz;
update pipeline.party_state set checked_at = received_at;
create index party_state_waiting on pipeline.party_state (received_at) where checked_at is null;
