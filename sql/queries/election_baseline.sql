-- The election a counted election is compared with, from the seeds.
select baseline_election_id from pipeline.election
where election_id = :election_id
