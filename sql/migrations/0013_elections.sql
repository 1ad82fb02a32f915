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
