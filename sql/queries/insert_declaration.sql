-- One declaration revision; no row back means that revision is already stored.
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
