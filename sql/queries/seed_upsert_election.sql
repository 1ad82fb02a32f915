insert into pipeline.election (election_id, name, election_date, election_type)
values (:election_id, :name, cast(:election_date as date), :election_type)
on conflict (election_id) do update
set name = excluded.name, election_date = excluded.election_date, election_type = excluded.election_type
where (pipeline.election.name, pipeline.election.election_date, pipeline.election.election_type)
    is distinct from (excluded.name, excluded.election_date, excluded.election_type)
