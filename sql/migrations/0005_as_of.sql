-- resultsnight schema, revision 0005: the night as it stood at a moment.
--
-- pipeline.seat_status_as_of(t), pipeline.flips_as_of(t) and
-- pipeline.party_tally_as_of(t) return what results.seat_status,
-- results.flips and results.party_tally showed at time t, rebuilt from the
-- declarations' history: a declaration counts from when it was stored
-- (stored_at), and each seat's current declaration of each kind is the
-- highest revision stored by then, exactly as pipeline.store advances a seat.
-- Security definer, executable by `board` only: it gets the replay without
-- reading pipeline's tables.

-- The bodies read views (pipeline.past_seat, past_share) that `db init` creates
-- after the migrations: check them when called, not now.
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
        max(t.declaration_id) filter (where t.kind = 'result') as result_id,
        max(t.declaration_id) filter (where t.kind = 'rush') as rush_id,
        -- the latest message's kind, and declared for good once a result is stored
        case when bool_or(t.kind = 'result') then 'declared'
             else (array_agg(t.kind order by t.stored_at desc))[1] end as status
    from top as t
    group by t.gss_code
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
    coalesce(st.status, 'awaiting'),
    coalesce(res.winner_party, rush.winner_party),
    b.winner_party,
    b.runner_up_party,
    case
        when coalesce(res.winner_party, rush.winner_party) is null or b.winner_party is null then null
        when coalesce(res.winner_party, rush.winner_party) = b.winner_party then 'hold'
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
$$;

create or replace function pipeline.flips_as_of(p_as_of timestamptz)
returns table (
    gss_code text, constituency text, region text, baseline_party text, winner_party text,
    majority integer, swing_pct numeric, swing_needed_pct numeric, declared_at timestamptz
)
language sql stable security definer
set search_path = pg_catalog, pipeline
as $$
select s.gss_code, s.constituency, s.region, s.baseline_party, s.winner_party,
       s.majority, s.swing_pct, s.swing_needed_pct, s.declared_at
from pipeline.seat_status_as_of(p_as_of) as s
where s.status = 'declared' and s.outcome = 'gain'
$$;

create or replace function pipeline.party_tally_as_of(p_as_of timestamptz)
returns table (
    party text, seats bigint, gains bigint, losses bigint, net bigint, votes bigint,
    vote_share_pct numeric, baseline_seats bigint
)
language sql stable security definer
set search_path = pg_catalog, pipeline
as $$
with setting as (
    select counting_election_id, baseline_election_id from pipeline.count_setting
),
known as (
    select s.winner_party, s.baseline_party, s.outcome
    from pipeline.seat_status_as_of(p_as_of) as s
    where s.winner_party is not null
),
won as (
    select k.winner_party as party, count(*) as seats, count(*) filter (where k.outcome = 'gain') as gains
    from known as k group by k.winner_party
),
lost as (
    select k.baseline_party as party, count(*) as losses
    from known as k where k.outcome = 'gain' group by k.baseline_party
),
result_top as (
    select distinct on (d.gss_code) d.declaration_id
    from pipeline.declaration as d
    join setting on d.election_id = setting.counting_election_id
    where d.kind = 'result' and d.stored_at <= p_as_of
    order by d.gss_code, d.revision desc
),
votes as (
    select c.party_code as party, sum(c.votes) as votes
    from result_top as t
    join pipeline.candidate as c on c.declaration_id = t.declaration_id
    group by c.party_code
),
base as (
    select b.winner_party as party, count(*) as baseline_seats
    from pipeline.past_seat as b
    join setting on b.election_id = setting.baseline_election_id
    group by b.winner_party
)
select
    p.party_code,
    coalesce(won.seats, 0),
    coalesce(won.gains, 0),
    coalesce(lost.losses, 0),
    coalesce(won.gains, 0) - coalesce(lost.losses, 0),
    coalesce(votes.votes, 0)::bigint,
    round(100.0 * coalesce(votes.votes, 0) / nullif(sum(votes.votes) over (), 0), 2),
    coalesce(base.baseline_seats, 0)
from pipeline.party as p
left join won on won.party = p.party_code
left join lost on lost.party = p.party_code
left join votes on votes.party = p.party_code
left join base on base.party = p.party_code
$$;

revoke all on function pipeline.seat_status_as_of(timestamptz) from public;
revoke all on function pipeline.flips_as_of(timestamptz) from public;
revoke all on function pipeline.party_tally_as_of(timestamptz) from public;
grant execute on function pipeline.seat_status_as_of(timestamptz) to board;
grant execute on function pipeline.flips_as_of(timestamptz) to board;
grant execute on function pipeline.party_tally_as_of(timestamptz) to board;

-- Each party's votes and share in one seat at the baseline election (the seat card's "change").
create or replace function pipeline.baseline_shares(p_gss_code text)
returns table (party text, votes integer, share_pct numeric)
language sql stable security definer
set search_path = pg_catalog, pipeline
as $$
select ps.party_code, ps.votes, round(ps.share_pct, 2)
from pipeline.past_share as ps
join pipeline.count_setting as s on ps.election_id = s.baseline_election_id
where ps.gss_code = p_gss_code
$$;
revoke all on function pipeline.baseline_shares(text) from public;
grant execute on function pipeline.baseline_shares(text) to board;
