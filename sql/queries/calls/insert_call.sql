-- Record one desk call (the partial unique index call_current allows one current call per seat).
insert into pipeline.call (election_id, gss_code, party, note, called_by)
values (:election_id, :gss_code, :party, :note, :called_by)
returning call_id, called_at
