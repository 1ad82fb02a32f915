-- One row per stored declaration, every revision of every message kind.
create or replace view results.declarations as
select
    d.declaration_id,
    d.election_id,
    d.gss_code,
    k.name as constituency,
    d.kind,
    d.revision,
    d.declared_at,
    d.winner_party,
    d.valid_votes,
    d.electorate,
    d.source_format,
    d.unknown_parties,
    d.agency,
    d.stored_at,
    d.declaration_id = coalesce(st.result_declaration_id, -1)
    or d.declaration_id = coalesce(st.rush_declaration_id, -1)
    or d.declaration_id = coalesce(st.recount_declaration_id, -1) as is_current
from pipeline.declaration as d
inner join pipeline.constituency as k on k.gss_code = d.gss_code
left join pipeline.seat_state as st on st.election_id = d.election_id and st.gss_code = d.gss_code
