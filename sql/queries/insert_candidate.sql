insert into pipeline.candidate (declaration_id, position, candidate_name, party_code, party_label, votes, elected)
values (:declaration_id, :position, :candidate_name, :party_code, :party_label, :votes, :elected)
