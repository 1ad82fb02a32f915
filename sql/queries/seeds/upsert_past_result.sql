insert into pipeline.past_result (election_id, gss_code, party_code, votes)
values (:election_id, :gss_code, :party_code, :votes)
on conflict (election_id, gss_code, party_code) do update
    set votes = excluded.votes
    where pipeline.past_result.votes is distinct from excluded.votes
