-- resultsnight schema, revision 0014: revisions across message kinds, and one
-- definition of a seat's state for the live views and the time slider alike.
--
-- The agency counts revisions per constituency across rush and result, and
-- skips numbers: rush_1 (X wins) -> result_1 -> rush_2 ("Correction: ...",
-- Y wins) -> result_3. The rule (docs: feed-formats.md "Revisions and
-- corrections", contract.md "Added in the third wave"):
--
-- * the seat's word is its rush or result with the highest revision; a
--   result beats a rush of the same revision;
-- * a result that is the word declares the seat (its winner, its figures);
-- * a rush that is the word (no result yet, or a rush with a higher
--   revision than the stored result: a correction) gives status 'rush', its
--   winner and no figures, until a result of at least that revision comes;
-- * a rush or result below the word is stale: kept as history, changes nothing.
-- * Recount notices stand outside that sequence: they count their own
--   revisions (a lower one is stale among recounts), never name a winner,
--   never make a rush or result stale and are never made stale by one. They
--   make the status 'recount' when stored after the seat's word, if that word
--   is a rush (or there is none); a declared seat stays declared.
-- * The desk's call counts only while the seat has no rush or result: then
--   it is the known winner, status 'called' unless a recount notice came after it.
--
-- pipeline.seat_state_at(t, seat) is that rule, once. Everything else reads it:
-- pipeline.seat_status_as_of(t) and pipeline.party_tally_as_of(t) (the board's
-- time slider) and, at t = infinity, the live results.seat_status and
-- results.party_tally (sql/views/results/). pipeline.store and pipeline.calls
-- write its answer for the seat into pipeline.seat_state (sql/queries/
-- refresh_seat_state.sql), which stays the row they lock and compare with.
-- Each result's figures (majority, turnout, swing) are the view
-- pipeline.result_figures, once.

set local check_function_bodies = off;

-- One row per seat of the counted election with anything stored or called by
-- p_as_of (only p_gss_code's when given): its status, known winner and where
-- that comes from, the outcome against the baseline winner, the declarations
-- in force. Not security definer, so it is inlined into its callers' queries;
-- not granted to anyone but its owner.
create or replace function pipeline.seat_state_at(p_as_of timestamptz, p_gss_code text default null)
returns table (
    election_id text, gss_code text, status text, known_winner text, known_source text,
    result_declaration_id bigint, rush_declaration_id bigint, recount_declaration_id bigint,
    revision integer, declared_at timestamptz, baseline_party text, outcome text
)
language sql stable
as $$
with setting as (
    select counting_election_id, baseline_election_id from pipeline.count_setting
),
stored as (
    select d.gss_code, d.kind, d.declaration_id, d.revision, d.declared_at, d.winner_party, d.stored_at
    from pipeline.declaration as d
    join setting on d.election_id = setting.counting_election_id
    where d.stored_at <= p_as_of and (p_gss_code is null or d.gss_code = p_gss_code)
),
-- the seat's word: the highest revision across rush and result, a result before a rush of the same revision
word as (
    select distinct on (s.gss_code) s.gss_code, s.kind, s.declaration_id, s.revision, s.declared_at,
        s.winner_party, s.stored_at
    from stored as s
    where s.kind in ('result', 'rush')
    order by s.gss_code, s.revision desc, s.kind = 'result' desc
),
top_rush as (
    select distinct on (s.gss_code) s.gss_code, s.declaration_id
    from stored as s where s.kind = 'rush'
    order by s.gss_code, s.revision desc
),
recount as (
    select distinct on (s.gss_code) s.gss_code, s.declaration_id, s.stored_at
    from stored as s where s.kind = 'recount'
    order by s.gss_code, s.revision desc
),
-- the desk's call in force at p_as_of (at most one is current at a time)
called as (
    select distinct on (c.gss_code) c.gss_code, c.party, c.called_at
    from pipeline.call as c
    join setting on c.election_id = setting.counting_election_id
    where c.called_at <= p_as_of and (c.withdrawn_at is null or c.withdrawn_at > p_as_of)
        and (p_gss_code is null or c.gss_code = p_gss_code)
    order by c.gss_code, c.called_at desc
),
seat as (
    select gss_code from word
    union
    select gss_code from recount
    union
    select gss_code from called
),
state as (
    select
        setting.counting_election_id,
        setting.baseline_election_id,
        seat.gss_code,
        case
            when w.kind = 'result' then 'declared'
            when w.kind = 'rush' and (rc.stored_at, rc.declaration_id) > (w.stored_at, w.declaration_id) then 'recount'
            when w.kind = 'rush' then 'rush'
            when cl.gss_code is not null and (rc.gss_code is null or cl.called_at >= rc.stored_at) then 'called'
            when rc.gss_code is not null then 'recount'
            else 'awaiting'
        end as status,
        case when w.gss_code is not null then w.winner_party else cl.party end as known_winner,
        case when w.gss_code is not null then w.kind when cl.gss_code is not null then 'call' end as known_source,
        case when w.kind = 'result' then w.declaration_id end as result_declaration_id,
        tr.declaration_id as rush_declaration_id,
        rc.declaration_id as recount_declaration_id,
        w.revision,
        w.declared_at
    from seat
    cross join setting
    left join word as w on w.gss_code = seat.gss_code
    left join top_rush as tr on tr.gss_code = seat.gss_code
    left join recount as rc on rc.gss_code = seat.gss_code
    left join called as cl on cl.gss_code = seat.gss_code
)
select
    st.counting_election_id,
    st.gss_code,
    st.status,
    st.known_winner,
    st.known_source,
    st.result_declaration_id,
    st.rush_declaration_id,
    st.recount_declaration_id,
    st.revision,
    st.declared_at,
    b.winner_party,
    case
        when st.known_winner is null or b.winner_party is null then null  -- no baseline: neither
        when st.known_winner = b.winner_party then 'hold'
        else 'gain'
    end
from state as st
left join pipeline.past_seat as b on b.election_id = st.baseline_election_id and b.gss_code = st.gss_code
$$;
revoke all on function pipeline.seat_state_at(timestamptz, text) from public;
-- the ingest and the desk bring a seat's state row up to it (sql/queries/refresh_seat_state.sql)
grant execute on function pipeline.seat_state_at(timestamptz, text) to pipeline_writer, desk;

-- What results.seat_status shows at p_as_of; the live view is this at infinity.
-- It gains candidates_nominated (how many the latest nominations stored by
-- then put on the ballot), which the view and the board's as-of query added
-- on their own in revision 0010: a new column, so the function is made anew.
drop function pipeline.seat_status_as_of(timestamptz);
create function pipeline.seat_status_as_of(p_as_of timestamptz)
returns table (
    gss_code text, constituency text, region text, status text,
    winner_party text, baseline_party text, baseline_runner_up text, outcome text,
    majority integer, majority_pct numeric, turnout_pct numeric, swing_pct numeric,
    swing_needed_pct numeric, revision integer, declared_at timestamptz, candidates_nominated integer
)
language sql stable security definer
set search_path = pg_catalog, pipeline
as $$
select
    ct.gss_code,
    k.name,
    k.region,
    coalesce(st.status, 'awaiting'),
    st.known_winner,
    b.winner_party,
    b.runner_up_party,
    st.outcome,
    f.majority,
    round(f.majority_pct, 2),
    round(f.turnout_pct, 2),
    round(f.swing_pct, 2),
    round(b.swing_needed_pct, 2),
    st.revision,
    st.declared_at,
    nom.candidates_nominated
from pipeline.count_setting as s
join pipeline.contest as ct on ct.election_id = s.counting_election_id
join pipeline.constituency as k on k.gss_code = ct.gss_code
left join pipeline.past_seat as b
    on b.election_id = s.baseline_election_id and b.gss_code = ct.gss_code
left join pipeline.seat_state_at(p_as_of) as st on st.gss_code = ct.gss_code
-- figures only while a result is the seat's word (a correcting rush reopens it)
left join pipeline.result_figures as f on f.declaration_id = st.result_declaration_id
-- how many are on the ballot, from the latest nominations stored by p_as_of (null when none had arrived)
left join lateral (
    select count(*)::integer as candidates_nominated
    from pipeline.nominee as c
    where c.nomination_id = (
        select l.nomination_id from pipeline.nomination as l
        where l.election_id = s.counting_election_id and l.gss_code = ct.gss_code and l.received_at <= p_as_of
        order by l.revision desc limit 1
    )
    having count(*) > 0
) as nom on true
$$;
revoke all on function pipeline.seat_status_as_of(timestamptz) from public;
grant execute on function pipeline.seat_status_as_of(timestamptz) to board;
-- The board's as-of seats read the nominations through this function now, not
-- beside it (revision 0010 let the board read these for that): it reads
-- pipeline.event only, as revision 0012 means.
revoke select on pipeline.nomination, pipeline.nominee, pipeline.count_setting from board;

-- What results.party_tally shows at p_as_of; the live view is this at infinity.
-- Votes are those of each seat's result while it is the seat's word. The
-- parties of the night only, as revision 0013 made it (there a second copy
-- of the view; here the one definition).
create or replace function pipeline.party_tally_as_of(p_as_of timestamptz)
returns table (
    party text, seats bigint, gains bigint, losses bigint, net bigint, votes bigint,
    vote_share_pct numeric, baseline_seats bigint
)
language sql stable security definer
set search_path = pg_catalog, pipeline
as $$
with state as materialized (
    select st.known_winner, st.baseline_party, st.outcome, st.result_declaration_id
    from pipeline.seat_state_at(p_as_of) as st
),
known as (
    select s.known_winner as winner_party, s.baseline_party, s.outcome
    from state as s
    where s.known_winner is not null
),
won as (
    select k.winner_party as party, count(*) as seats, count(*) filter (where k.outcome = 'gain') as gains
    from known as k group by k.winner_party
),
lost as (
    select k.baseline_party as party, count(*) as losses
    from known as k where k.outcome = 'gain' group by k.baseline_party
),
votes as (
    select c.party_code as party, sum(c.votes) as votes
    from state as st
    join pipeline.candidate as c on c.declaration_id = st.result_declaration_id
    group by c.party_code
),
base as (
    select b.winner_party as party, count(*) as baseline_seats
    from pipeline.past_seat as b
    join pipeline.count_setting as s on b.election_id = s.baseline_election_id
    group by b.winner_party
)
select
    p.party_code,
    coalesce(won.seats, 0),
    coalesce(won.gains, 0),
    coalesce(lost.losses, 0),
    coalesce(won.gains, 0) - coalesce(lost.losses, 0),
    coalesce(votes.votes, 0)::bigint,
    round(pipeline.pct(coalesce(votes.votes, 0), sum(votes.votes) over ()), 2),
    coalesce(base.baseline_seats, 0)
from pipeline.party as p
left join won on won.party = p.party_code
left join lost on lost.party = p.party_code
left join votes on votes.party = p.party_code
left join base on base.party = p.party_code
where won.party is not null or lost.party is not null or votes.party is not null or base.party is not null
   or exists (
        select 1
        from pipeline.past_result as pr
        join pipeline.count_setting as s
            on pr.election_id in (s.counting_election_id, s.baseline_election_id)
        where pr.party_code = p.party_code
    )
$$;

-- The live views call these (as their readers, results_reader and so board).
grant execute on function pipeline.seat_status_as_of(timestamptz) to results_reader;
grant execute on function pipeline.party_tally_as_of(timestamptz) to results_reader;

-- Who won a result is decided once, when it is resolved (pipeline.resolve:
-- the elected candidate's party) and stored as declaration.winner_party;
-- results stored before that was relied on get it from their candidates.
update pipeline.declaration as d
set winner_party = w.party_code
from (
    select distinct on (c.declaration_id) c.declaration_id, c.party_code
    from pipeline.candidate as c
    where c.elected
    order by c.declaration_id, c.position
) as w
where w.declaration_id = d.declaration_id and d.kind = 'result' and d.winner_party is null;

-- Every seat's state row as the rule says (an upgraded night's corrections
-- reopen their seats). A new database has no seat and no pipeline.past_seat
-- yet (`db init` creates the views after the migrations).
do $$
begin
    if to_regclass('pipeline.past_seat') is not null then
        update pipeline.seat_state as s
        set (status, result_declaration_id, rush_declaration_id, recount_declaration_id, known_winner,
             known_source) = (
            n.status, n.result_declaration_id, n.rush_declaration_id, n.recount_declaration_id, n.known_winner,
            n.known_source
        )
        from pipeline.seat_state_at('infinity') as n
        where n.election_id = s.election_id and n.gss_code = s.gss_code;
    end if;
end
$$;
