-- resultsnight schema, revision 0007: the night as it stood at a moment, desk calls included.
--
-- Revision 0005's pipeline.seat_status_as_of(t) rebuilt each seat from the
-- declarations stored by t alone, so a seat the desk had called showed
-- 'awaiting' in a replay while the live board showed it 'called'. Here it
-- counts a desk call as pipeline.seat and the live results.seat_status do: a
-- call in force at t (called_at <= t, not withdrawn by t) of a seat with no
-- rush or result stored by t makes the seat 'called' for the call's party;
-- a recount notice stored after the call makes it 'recount', the call's
-- party still the known winner (as pipeline.seat.advance keeps it). Once a
-- rush or result is stored the feed decides and the call is history.
-- pipeline.flips_as_of and pipeline.party_tally_as_of read this function, so
-- the tally counts called seats as the live one does. Same signature and
-- grants as revision 0005: create or replace keeps them.

set local check_function_bodies = off;

create or replace function pipeline.seat_status_as_of(p_as_of timestamptz)
returns table (
    gss_code text, constituency text, region text, status text,
    winner_party text, baseline_party text, baseline_runner_up text, outcome text,
    majority integer, majority_pct numeric, turnout_pct numeric, swing_pct numeric,
    swing_needed_pct numeric, revision integer, declared_at timestamptz
)
language sql stable security definer
set search_path = pg_catalog, pipeline
as $$
with setting as (
    select counting_election_id, baseline_election_id from pipeline.count_setting
),
-- each seat's current declaration of each kind at p_as_of
top as (
    select distinct on (d.gss_code, d.kind)
        d.gss_code, d.kind, d.declaration_id, d.revision, d.declared_at, d.winner_party,
        d.valid_votes, d.electorate, d.stored_at
    from pipeline.declaration as d
    join setting on d.election_id = setting.counting_election_id
    where d.stored_at <= p_as_of
    order by d.gss_code, d.kind, d.revision desc
),
state as (
    select
        t.gss_code,
        max(t.stored_at) as last_stored_at,
        max(t.declaration_id) filter (where t.kind = 'result') as result_id,
        max(t.declaration_id) filter (where t.kind = 'rush') as rush_id,
        -- the latest message's kind, and declared for good once a result is stored
        case when bool_or(t.kind = 'result') then 'declared'
             else (array_agg(t.kind order by t.stored_at desc))[1] end as status
    from top as t
    group by t.gss_code
),
-- the desk's call of each seat in force at p_as_of (at most one is current at a time)
called as (
    select distinct on (c.gss_code) c.gss_code, c.party, c.called_at
    from pipeline.call as c
    join setting on c.election_id = setting.counting_election_id
    where c.called_at <= p_as_of and (c.withdrawn_at is null or c.withdrawn_at > p_as_of)
    order by c.gss_code, c.called_at desc
),
res as (
    select
        st.gss_code, d.declaration_id, d.revision, d.declared_at, d.valid_votes,
        coalesce(d.electorate, ct.electorate) as electorate,
        w.party_code as winner_party, w.votes as winner_votes,
        coalesce(ru.votes, 0) as runner_up_votes,
        -- the same functions as pipeline.current_result (migration 0003): each formula once
        case when b.gss_code is not null then
            pipeline.butler_swing(
                pipeline.pct(coalesce(bw.votes, 0), d.valid_votes), coalesce(bwi.share_pct, 0),
                pipeline.pct(coalesce(br.votes, 0), d.valid_votes), coalesce(bru.share_pct, 0)
            )
        end as swing_pct
    from state as st
    cross join setting
    join pipeline.declaration as d on d.declaration_id = st.result_id
    join pipeline.contest as ct on ct.election_id = d.election_id and ct.gss_code = d.gss_code
    cross join lateral (
        select c.party_code, c.votes from pipeline.candidate as c
        where c.declaration_id = d.declaration_id and c.elected
        order by c.position limit 1
    ) as w
    left join lateral (
        select c.votes from pipeline.candidate as c
        where c.declaration_id = d.declaration_id and not c.elected
        order by c.votes desc, c.position limit 1
    ) as ru on true
    left join pipeline.past_seat as b
        on b.election_id = setting.baseline_election_id and b.gss_code = st.gss_code
    left join pipeline.past_share as bwi
        on bwi.election_id = b.election_id and bwi.gss_code = b.gss_code and bwi.party_code = b.winner_party
    left join pipeline.past_share as bru
        on bru.election_id = b.election_id and bru.gss_code = b.gss_code and bru.party_code = b.runner_up_party
    left join lateral (
        select sum(c.votes) as votes from pipeline.candidate as c
        where c.declaration_id = d.declaration_id and c.party_code = b.winner_party
    ) as bw on true
    left join lateral (
        select sum(c.votes) as votes from pipeline.candidate as c
        where c.declaration_id = d.declaration_id and c.party_code = b.runner_up_party
    ) as br on true
)
select
    ct.gss_code,
    k.name,
    k.region,
    case
        -- a call made after the seat's latest recount notice (or with none): called
        when cl.gss_code is not null and (st.last_stored_at is null or cl.called_at >= st.last_stored_at)
            then 'called'
        else coalesce(st.status, 'awaiting')
    end,
    w.winner,
    b.winner_party,
    b.runner_up_party,
    case
        when w.winner is null or b.winner_party is null then null
        when w.winner = b.winner_party then 'hold'
        else 'gain'
    end,
    pipeline.majority(res.winner_votes, res.runner_up_votes),
    round(pipeline.pct(pipeline.majority(res.winner_votes, res.runner_up_votes), res.valid_votes), 2),
    round(pipeline.pct(res.valid_votes, res.electorate), 2),
    round(res.swing_pct, 2),
    round(b.swing_needed_pct, 2),
    coalesce(res.revision, rush.revision),
    coalesce(res.declared_at, rush.declared_at)
from setting
join pipeline.contest as ct on ct.election_id = setting.counting_election_id
join pipeline.constituency as k on k.gss_code = ct.gss_code
left join pipeline.past_seat as b
    on b.election_id = setting.baseline_election_id and b.gss_code = ct.gss_code
left join state as st on st.gss_code = ct.gss_code
left join res on res.gss_code = ct.gss_code
left join pipeline.declaration as rush on rush.declaration_id = st.rush_id
-- the call counts only while the feed has not spoken (no rush or result stored by p_as_of)
left join called as cl on cl.gss_code = ct.gss_code and st.result_id is null and st.rush_id is null
cross join lateral (select coalesce(res.winner_party, rush.winner_party, cl.party) as winner) as w
$$;
