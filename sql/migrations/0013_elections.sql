-- resultsnight schema, revision 0013: elections as data.
--
-- A boundary set (the constituencies fought from one review to the next) is a
-- row, with its constituencies. Each election names its boundary set, the
-- election it is counted against (the previous one on the same boundaries,
-- or notional results after a boundary change) and whether its results are
-- notional. The next general election is a row before its date is known:
-- election_date is null until then.

-- One row per set of Westminster boundaries.
create table pipeline.boundary_set (
    boundary_set        text primary key,  -- '2010', '2024': the year of the first election fought on it
    name                text not null,
    first_election_date date not null
);

insert into pipeline.boundary_set (boundary_set, name, first_election_date)
values ('2010', 'Westminster constituencies of 2010-2019 (Fifth Periodical Review)', date '2010-05-06');

-- One row per constituency per boundary set it belongs to. A constituency a
-- review left unchanged keeps its GSS code and belongs to both sets (five
-- Scottish seats, Orkney and Shetland among them, are in 2010 and 2024).
create table pipeline.boundary_set_constituency (
    boundary_set text not null references pipeline.boundary_set,
    gss_code     text not null references pipeline.constituency,
    primary key (boundary_set, gss_code)
);

insert into pipeline.boundary_set_constituency (boundary_set, gss_code)
select '2010', gss_code from pipeline.constituency;

-- Names are unique within a set only (Aldershot 2010 and Aldershot 2024 are
-- different seats with different codes); `db init` checks that per set, and
-- a feed's name is matched among the counted election's seats.
alter table pipeline.constituency drop constraint constituency_name_key_key;

alter table pipeline.election alter column election_date drop not null;  -- null: not yet called
alter table pipeline.election
    add column boundary_set text not null default '2010' references pipeline.boundary_set,
    add column baseline_election_id text references pipeline.election,
    add column is_notional boolean not null default false;
alter table pipeline.election alter column boundary_set drop default;
alter table pipeline.election add constraint election_not_its_own_baseline check (baseline_election_id <> election_id);

-- An alias can mean one party before a date and another after it (the
-- Electoral Commission's PP7931 was the Brexit Party, then Reform UK): one
-- row per alias per date from which it holds; '-infinity' is "always".
alter table pipeline.party_alias add column valid_from date not null default '-infinity';
alter table pipeline.party_alias drop constraint party_alias_pkey;
alter table pipeline.party_alias add primary key (alias_key, valid_from);

-- The tally as of a moment lists the parties of the night, as results.party_tally
-- does (sql/views/results/party_tally.sql): those of the counted or the
-- baseline election's seeded results, or with a seat, a loss or votes by
-- then. Otherwise every night would list every party ever seeded (Reform UK
-- at 0 in 2019). Revision 0005's function otherwise; same signature, so the
-- grants stay.
set local check_function_bodies = off;

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
where won.party is not null or lost.party is not null or votes.party is not null or base.party is not null
   or exists (
        select 1
        from pipeline.past_result as pr
        join setting on pr.election_id in (setting.counting_election_id, setting.baseline_election_id)
        where pr.party_code = p.party_code
    )
$$;

-- Counting another election is an event like a reset: the board's caches
-- are keyed to the last event, and its page must redraw on the other map.
alter table pipeline.event drop constraint event_kind_check;
alter table pipeline.event add constraint event_kind_check
    check (kind in ('declaration', 'alert', 'call', 'reset', 'nominations', 'state_of_parties', 'election'));

create trigger count_setting_event
    after insert or update on pipeline.count_setting
    for each row execute function pipeline.emit_event('election');
