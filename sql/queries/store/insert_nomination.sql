-- One nominations message and its candidates; no row back when this revision of the seat's list is already stored.
with list as (
    insert into pipeline.nomination (election_id, gss_code, revision, sha256, electorate, agency, unknown_parties)
    values (
        :election_id, :gss_code, :revision, :sha256, :electorate, cast(:agency as jsonb),
        cast(:unknown_parties as text[])
    )
    on conflict (election_id, gss_code, revision) do nothing
    returning nomination_id
),

nominees as (
    insert into pipeline.nominee (
        nomination_id, position, candidate_name, party_code, party_label, party_name, sitting_member
    )
    select
        list.nomination_id,
        c.position,
        c.candidate_name,
        c.party_code,
        c.party_label,
        c.party_name,
        c.sitting_member
    from list
    cross join unnest(
        cast(:positions as smallint[]), cast(:names as text[]), cast(:party_codes as text[]),
        cast(:party_labels as text[]), cast(:party_names as text[]), cast(:sitting as boolean[])
    ) as c (position, candidate_name, party_code, party_label, party_name, sitting_member)
)

select nomination_id from list
