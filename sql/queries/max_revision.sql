select max(revision) from pipeline.declaration
where election_id = :election_id and gss_code = :gss_code and kind = :kind
