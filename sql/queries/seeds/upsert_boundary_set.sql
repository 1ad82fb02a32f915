insert into pipeline.boundary_set (boundary_set, name, first_election_date)
values (:boundary_set, :name, cast(:first_election_date as date))
on conflict (boundary_set) do update
    set name = excluded.name, first_election_date = excluded.first_election_date
    where (pipeline.boundary_set.name, pipeline.boundary_set.first_election_date)
    is distinct from (excluded.name, excluded.first_election_date)
