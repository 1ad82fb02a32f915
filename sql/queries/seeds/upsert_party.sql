insert into pipeline.party (party_code, name)
values (:party_code, :name)
on conflict (party_code) do update
    set name = excluded.name
    where pipeline.party.name is distinct from excluded.name
