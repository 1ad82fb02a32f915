-- One declaration revision and its candidates, in one statement; no row back
-- means that revision is already stored (and no candidates are written).
with declaration as (
    insert into pipeline.declaration (
        election_id, gss_code, kind, revision, declared_at, source_format, sha256,
        electorate, turnout, valid_votes, winner_party, agency, unknown_parties
    )
    values (
        :election_id, :gss_code, :kind, :revision, :declared_at, :source_format, :sha256,
        :electorate, :turnout, :valid_votes, :winner_party, cast(:agency as jsonb), cast(:unknown_parties as text[])
    )
    on conflict (election_id, gss_code, kind, revision) do nothing
    returning declaration_id
),

candidates as (
    insert into pipeline.candidate (declaration_id, position, candidate_name, party_code, party_label, votes, elected)
    select
        d.declaration_id,
        c.position,
        c.candidate_name,
        c.party_code,
        c.party_label,
        c.votes,
        c.elected
    from declaration as d
    cross join
        unnest(
            cast(:positions as integer[]), cast(:names as text[]), cast(:party_codes as text[]),
            cast(:party_labels as text[]), cast(:votes as integer[]), cast(:elected as boolean[]))
            as c (position, candidate_name, party_code, party_label, votes, elected)
    returning 1
)

select
    declaration_id,
    (select count(*) from candidates) as candidates
from declaration
