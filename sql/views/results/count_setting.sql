-- One row: the election being counted, its boundary set and the election it is compared with.
create or replace view results.count_setting as
select
    s.counting_election_id,
    c.name as counting_name,
    c.election_date,
    c.boundary_set,
    s.baseline_election_id,
    b.name as baseline_name,
    b.is_notional as baseline_is_notional,
    -- how titles name the baseline (as sql/queries/summary/baseline_label.sql): "2017", "2019 notional"
    cast(extract(year from b.election_date) as integer) || case when b.is_notional then ' notional' else '' end
        as baseline_label
from pipeline.count_setting as s
inner join pipeline.election as c on c.election_id = s.counting_election_id
inner join pipeline.election as b on b.election_id = s.baseline_election_id
