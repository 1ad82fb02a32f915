select gss_code, party_code, share_pct from pipeline.past_share where election_id = :election_id
