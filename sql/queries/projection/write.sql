-- One refresh's writes in one statement: the running sums (when they
-- changed), the row set of this declared count (identical lines are left
-- alone, so they keep their computed_at) and the pruning of lines of parties
-- no longer in it, and any row set of a higher count (after a reopened seat).
-- The four touch disjoint rows.
with state as (
    insert into pipeline.projection_state
    (election_id, baseline_key, last_declaration_id, seat_declaration, declared, xtx, xty, ni_sum, ni_n, yty)
    select
        :election_id,
        :baseline_key,
        :declaration_id,
        :seat_declaration,
        :declared,
        :xtx,
        :xty,
        :ni_sum,
        :ni_n,
        :yty
    where :write_state
    on conflict (election_id) do update
        set (baseline_key, last_declaration_id, seat_declaration, declared, xtx, xty, ni_sum, ni_n, yty) = (
            excluded.baseline_key, excluded.last_declaration_id, excluded.seat_declaration, excluded.declared,
            excluded.xtx, excluded.xty, excluded.ni_sum, excluded.ni_n, excluded.yty
        )
    returning 1
),

lines as (
    select *
    from unnest(
        cast(:parties as text[]), cast(:declared_seats as integer[]), cast(:projected_seats as integer[]),
        cast(:low as integer[]), cast(:high as integer[]))
        as line (party_code, declared_seats, projected_seats, low, high)
),

upserted as (
    insert into pipeline.projection_history as h
    (election_id, declared_count, party_code, declared_seats, projected_seats, low, high, method, declaration_id)
    select
        :election_id,
        :declared_count,
        party_code,
        declared_seats,
        projected_seats,
        low,
        high,
        :method,
        :declaration_id
    from lines
    on conflict (election_id, declared_count, party_code) do update
        set
            declared_seats = excluded.declared_seats,
            projected_seats = excluded.projected_seats,
            low = excluded.low,
            high = excluded.high,
            method = excluded.method,
            declaration_id = excluded.declaration_id,
            computed_at = clock_timestamp()
        where (h.declared_seats, h.projected_seats, h.low, h.high, h.method)
        is distinct from (
            excluded.declared_seats, excluded.projected_seats, excluded.low, excluded.high,
            excluded.method
        )
    returning 1
),

pruned as (
    delete from pipeline.projection_history
    where
        election_id = :election_id and declared_count = :declared_count
        and not (party_code = any(cast(:parties as text[])))
    returning 1
),

-- A correcting rush took a declared seat's result back out: the row sets of
-- higher counts described results that no longer all stand. They are written
-- again as the count climbs back.
reopened as (
    delete from pipeline.projection_history
    where election_id = :election_id and declared_count > :declared_count
    returning 1
)

select
    (select count(*) from state) as state_rows,
    (select count(*) from upserted) as upserted,
    (select count(*) from pruned) as pruned
