-- The highest nominations revision stored for a seat (0 when none).
select coalesce(max(revision), 0) from pipeline.nomination
where election_id = :election_id and gss_code = :gss_code
