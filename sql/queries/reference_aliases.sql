select alias_key, party_code from pipeline.party_alias
