insert into pipeline.election (
    election_id, name, election_date, election_type, boundary_set, baseline_election_id, is_notional
)
values (
    :election_id, :name, cast(:election_date as date), :election_type, :boundary_set, :baseline_election_id,
    cast(:is_notional as boolean)
)
on conflict (election_id) do update
    set
        name = excluded.name, election_date = excluded.election_date, election_type = excluded.election_type,
        boundary_set = excluded.boundary_set, baseline_election_id = excluded.baseline_election_id,
        is_notional = excluded.is_notional
    where (
        pipeline.election.name, pipeline.election.election_date, pipeline.election.election_type,
        pipeline.election.boundary_set, pipeline.election.baseline_election_id, pipeline.election.is_notional
    )
    is distinct from (
        excluded.name, excluded.election_date, excluded.election_type,
        excluded.boundary_set, excluded.baseline_election_id, excluded.is_notional
    )
