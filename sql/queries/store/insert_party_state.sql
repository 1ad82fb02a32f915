-- One state-of-the-parties message with its parties and the constituencies it counts;
-- no row back when that election's message with this numberOfResults is already stored.
with message as (
    insert into pipeline.party_state (
        election_id, number_of_results, total_constituencies, total_votes, sha256, agency, unknown_parties
    )
    values (
        :election_id, :number_of_results, :total_constituencies, :total_votes, :sha256,
        cast(:agency as jsonb), cast(:unknown_parties as text[])
    )
    on conflict (election_id, number_of_results) do nothing
    returning party_state_id
),

parties as (
    insert into pipeline.party_state_party (
        party_state_id, position, party_code, party_label, party_name, seats, gains, losses, votes,
        share_pct, share_change_pct
    )
    select
        message.party_state_id,
        p.position,
        p.party_code,
        p.party_label,
        p.party_name,
        p.seats,
        p.gains,
        p.losses,
        p.votes,
        p.share_pct,
        p.share_change_pct
    from message
    cross join unnest(
        cast(:positions as smallint[]), cast(:party_codes as text[]), cast(:party_labels as text[]),
        cast(:party_names as text[]), cast(:seats as integer[]), cast(:gains as integer[]),
        cast(:losses as integer[]), cast(:votes as bigint[]), cast(:shares as numeric[]),
        cast(:share_changes as numeric[])
    ) as p (position, party_code, party_label, party_name, seats, gains, losses, votes, share_pct, share_change_pct)
),

seats as (
    insert into pipeline.party_state_seat (party_state_id, gss_code)
    select
        message.party_state_id,
        g.gss_code
    from message cross join unnest(cast(:gss_codes as text[])) as g (gss_code)
)

select party_state_id from message
