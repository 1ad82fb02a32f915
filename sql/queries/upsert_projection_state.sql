insert into pipeline.projection_state
    (election_id, baseline_key, last_declaration_id, seat_declaration, declared, xtx, xty, ni_sum, ni_n)
values
    (:election_id, :baseline_key, :last_declaration_id, :seat_declaration, :declared, :xtx, :xty, :ni_sum, :ni_n)
on conflict (election_id) do update
set baseline_key = excluded.baseline_key,
    last_declaration_id = excluded.last_declaration_id,
    seat_declaration = excluded.seat_declaration,
    declared = excluded.declared,
    xtx = excluded.xtx,
    xty = excluded.xty,
    ni_sum = excluded.ni_sum,
    ni_n = excluded.ni_n
