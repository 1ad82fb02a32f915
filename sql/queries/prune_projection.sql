-- Drop the lines of parties no longer in the row set of this declared count.
delete from pipeline.projection_history
where election_id = :election_id and declared_count = :declared_count and not (party_code = any(:parties))
