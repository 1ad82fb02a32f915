-- One row per result declaration of the counted election, every revision:
-- its figures, with the baseline comparison (swing) computed once.
-- pipeline.seat_status_as_of (sql/migrations/0014_revisions.sql) joins each
-- seat's current result here; so do the live views, through it.
create or replace view pipeline.result_figures as
with setting as (
    select
        counting_election_id,
        baseline_election_id
    from pipeline.count_setting
)

select
    d.election_id,
    d.gss_code,
    d.declaration_id,
    d.revision,
    d.declared_at,
    d.valid_votes,
    coalesce(d.electorate, ct.electorate) as electorate,
    -- who won is decided once, when the result is resolved (pipeline.resolve)
    d.winner_party,
    w.votes as winner_votes,
    ru.party_code as runner_up_party,
    coalesce(ru.votes, 0) as runner_up_votes,
    pipeline.majority(w.votes, ru.votes) as majority,
    pipeline.pct(pipeline.majority(w.votes, ru.votes), d.valid_votes) as majority_pct,
    pipeline.pct(d.valid_votes, coalesce(d.electorate, ct.electorate)) as turnout_pct,
    -- Butler swing between the baseline winner and runner-up, as the
    -- contract defines it; a party that did not stand this time polled 0%
    -- (so in the Speaker's seat the figure is arithmetic, not politics).
    -- sql/queries/store/flip_figures.sql gives a flip alert the same figure.
    case
        when b.gss_code is not null
            then
                pipeline.butler_swing(
                    pipeline.pct(coalesce(bw.votes, 0), d.valid_votes),
                    coalesce(pipeline.pct(bwi.votes, b.valid_votes), 0),
                    pipeline.pct(coalesce(br.votes, 0), d.valid_votes),
                    coalesce(pipeline.pct(bru.votes, b.valid_votes), 0)
                )
    end as swing_pct
from pipeline.declaration as d
inner join setting on d.election_id = setting.counting_election_id
-- the registered electorate, by key (a lateral lookup: with the night's statistics not yet
-- gathered, a plain join was planned as a scan of every contest per result)
cross join
    lateral (
        select c.electorate from pipeline.contest as c
        where c.election_id = d.election_id and c.gss_code = d.gss_code
    ) as ct
cross join
    lateral (
        select c.votes from pipeline.candidate as c
        where c.declaration_id = d.declaration_id and c.elected
        order by c.position limit 1
    ) as w
left join lateral (
    select
        c.party_code,
        c.votes
    from pipeline.candidate as c
    where c.declaration_id = d.declaration_id and not c.elected
    order by c.votes desc, c.position asc limit 1
) as ru on true
left join pipeline.past_seat as b
    on b.election_id = setting.baseline_election_id and b.gss_code = d.gss_code
-- the baseline winner's and runner-up's votes then, over past_seat's valid votes: the shares of
-- pipeline.past_share, read by key (that view's window runs over every past election)
left join pipeline.past_result as bwi
    on bwi.election_id = b.election_id and bwi.gss_code = b.gss_code and bwi.party_code = b.winner_party
left join pipeline.past_result as bru
    on bru.election_id = b.election_id and bru.gss_code = b.gss_code and bru.party_code = b.runner_up_party
-- this seat's votes now for the baseline winner's and runner-up's parties
left join lateral (
    select sum(c.votes) as votes from pipeline.candidate as c
    where c.declaration_id = d.declaration_id and c.party_code = b.winner_party
) as bw on true
left join lateral (
    select sum(c.votes) as votes from pipeline.candidate as c
    where c.declaration_id = d.declaration_id and c.party_code = b.runner_up_party
) as br on true
where d.kind = 'result'
