-- What a flip alert quotes, by the views' own formulas (sql/migrations/0003_formulas.sql):
-- the Butler swing from seat :gss_code's baseline winner :holder to :party in
-- declaration :declaration_id (for the baseline runner-up this is
-- pipeline.result_figures.swing_pct), and the swing :party needed at the baseline.
-- A rush has no votes and a desk call (:declaration_id null) no declaration:
-- their swing is null. Run inside the storing transaction, so it sees the
-- candidates just inserted.
with past as (
    -- a party that did not stand polled 0%, as in the views
    select
        coalesce(sum(r.votes) filter (where r.party_code = :holder), 0) as holder_votes,
        coalesce(sum(r.votes) filter (where r.party_code = :party), 0) as party_votes,
        sum(r.votes) as valid_votes
    from pipeline.past_result as r
    where r.gss_code = :gss_code and r.election_id = :baseline_election_id
),

now as (
    select
        d.valid_votes,
        coalesce(sum(c.votes) filter (where c.party_code = :holder), 0) as holder_votes,
        coalesce(sum(c.votes) filter (where c.party_code = :party), 0) as party_votes
    from pipeline.declaration as d
    left join pipeline.candidate as c on c.declaration_id = d.declaration_id
    where d.declaration_id = cast(:declaration_id as bigint)
    group by d.valid_votes
)

select
    case
        when now.valid_votes is not null
            then
                pipeline.butler_swing(
                    pipeline.pct(now.holder_votes, now.valid_votes),
                    coalesce(pipeline.pct(past.holder_votes, past.valid_votes), 0),
                    pipeline.pct(now.party_votes, now.valid_votes),
                    coalesce(pipeline.pct(past.party_votes, past.valid_votes), 0)
                )
    end as swing_pct,
    pipeline.swing_needed(past.holder_votes - past.party_votes, past.valid_votes) as swing_needed_pct
from past
left join now on true
