insert into pipeline.contest (election_id, gss_code, electorate)
values (:election_id, :gss_code, :electorate)
on conflict (election_id, gss_code) do update
    set electorate = excluded.electorate
    where pipeline.contest.electorate is distinct from excluded.electorate
