-- Set the counted and baseline elections; `only_if_missing` keeps an operator's choice.
insert into pipeline.count_setting (singleton, counting_election_id, baseline_election_id)
values (true, :counting_election_id, :baseline_election_id)
on conflict (singleton) do update
    set
        counting_election_id = excluded.counting_election_id,
        baseline_election_id = excluded.baseline_election_id
    where not cast(:only_if_missing as boolean)
    and (pipeline.count_setting.counting_election_id, pipeline.count_setting.baseline_election_id)
    is distinct from (excluded.counting_election_id, excluded.baseline_election_id)
