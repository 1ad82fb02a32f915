insert into pipeline.party_alias (alias_key, valid_from, alias, party_code)
values (:alias_key, cast(:valid_from as date), :alias, :party_code)
on conflict (alias_key, valid_from) do update
    set alias = excluded.alias, party_code = excluded.party_code
    where (pipeline.party_alias.alias, pipeline.party_alias.party_code)
    is distinct from (excluded.alias, excluded.party_code)
