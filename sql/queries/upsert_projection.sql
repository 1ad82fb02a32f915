-- One party's line at one declared count; an identical line is left alone
-- (so re-running a refresh keeps its computed_at).
insert into pipeline.projection_history
    (election_id, declared_count, party_code, declared_seats, projected_seats, low, high, method, declaration_id)
values
    (:election_id, :declared_count, :party_code, :declared_seats, :projected_seats, :low, :high, :method,
     :declaration_id)
on conflict (election_id, declared_count, party_code) do update
set declared_seats = excluded.declared_seats,
    projected_seats = excluded.projected_seats,
    low = excluded.low,
    high = excluded.high,
    method = excluded.method,
    declaration_id = excluded.declaration_id,
    computed_at = clock_timestamp()
where (pipeline.projection_history.declared_seats, pipeline.projection_history.projected_seats,
       pipeline.projection_history.low, pipeline.projection_history.high, pipeline.projection_history.method)
    is distinct from
      (excluded.declared_seats, excluded.projected_seats, excluded.low, excluded.high, excluded.method)
