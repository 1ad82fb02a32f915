-- One row per constituency of the election being counted, declared or not.
create or replace view results.seat_status as
select
    ct.gss_code,
    k.name as constituency,
    k.region,
    coalesce(st.status, 'awaiting') as status,
    st.known_winner as winner_party,
    b.winner_party as baseline_party,
    b.runner_up_party as baseline_runner_up,
    case
        when st.known_winner is null or b.winner_party is null then null  -- no baseline: neither
        when st.known_winner = b.winner_party then 'hold'
        else 'gain'
    end as outcome,
    cr.majority,
    round(cr.majority_pct, 2) as majority_pct,
    round(cr.turnout_pct, 2) as turnout_pct,
    round(cr.swing_pct, 2) as swing_pct,
    round(b.swing_needed_pct, 2) as swing_needed_pct,
    coalesce(cr.revision, rush.revision) as revision,
    coalesce(cr.declared_at, rush.declared_at) as declared_at,
    nom.candidates_nominated
from pipeline.count_setting as s
join pipeline.contest as ct on ct.election_id = s.counting_election_id
join pipeline.constituency as k on k.gss_code = ct.gss_code
left join pipeline.past_seat as b
    on b.election_id = s.baseline_election_id and b.gss_code = ct.gss_code
left join pipeline.seat_state as st
    on st.election_id = ct.election_id and st.gss_code = ct.gss_code
left join pipeline.current_result as cr
    on cr.election_id = ct.election_id and cr.gss_code = ct.gss_code
left join pipeline.declaration as rush on rush.declaration_id = st.rush_declaration_id
-- how many are on the ballot, from the latest nominations (null when none arrived)
left join (
    select n.gss_code, count(*)::integer as candidates_nominated from results.nominations as n group by n.gss_code
) as nom on nom.gss_code = ct.gss_code
