-- One row per (state-of-the-parties message of the counted election, party code in it):
-- the agency's seats, votes, gains and losses beside ours over exactly the
-- constituencies the message counts, from those seats' current results.
-- Agency lines that map to one code (several independents, Others, unknown
-- parties) are summed; our votes for a party the message does not list on
-- its own count under OTH. Our gains are against our baseline; the agency's
-- against the party holding the seat at dissolution, which is the same
-- only after a boundary change (both then count against the notional
-- results): only then do gains take part in `agrees`.
create or replace view pipeline.party_state_check as
with setting as (
    select
        s.counting_election_id,
        s.baseline_election_id,
        b.is_notional as baseline_shared
    from pipeline.count_setting as s
    inner join pipeline.election as b on b.election_id = s.baseline_election_id
),

message as (
    select
        m.party_state_id,
        m.election_id,
        m.number_of_results,
        setting.baseline_election_id,
        setting.baseline_shared
    from pipeline.party_state as m
    inner join setting on m.election_id = setting.counting_election_id
),

agency as (
    select
        p.party_state_id,
        p.party_code as party,
        sum(p.seats) as seats,
        sum(p.votes) as votes,
        sum(p.gains) as gains,
        sum(p.losses) as losses
    from pipeline.party_state_party as p
    inner join message as m on m.party_state_id = p.party_state_id
    group by p.party_state_id, p.party_code
),

our_candidates as (
    select
        m.party_state_id,
        s.gss_code,
        c.party_code as code,
        case when a.party is null then 'OTH' else c.party_code end as party,
        c.votes,
        c.elected
    from message as m
    inner join pipeline.party_state_seat as s on s.party_state_id = m.party_state_id
    -- the seat's current result (none while a correcting rush reopens it), as pipeline.seat_state_at says
    inner join pipeline.seat_state as st on st.election_id = m.election_id and st.gss_code = s.gss_code
    inner join pipeline.candidate as c on c.declaration_id = st.result_declaration_id
    left join agency as a on a.party_state_id = m.party_state_id and a.party = c.party_code
),

ours as (
    select
        party_state_id,
        party,
        count(*) filter (where elected) as seats,
        sum(votes) as votes
    from our_candidates
    group by party_state_id, party
),

-- One row per counted seat whose winner is not its baseline winner: a gain for one party, a loss for another.
changed as (
    select
        w.party_state_id,
        w.party as winner,
        case when a.party is null then 'OTH' else b.winner_party end as held
    from our_candidates as w
    inner join message as m on m.party_state_id = w.party_state_id
    inner join pipeline.past_seat as b on b.election_id = m.baseline_election_id and b.gss_code = w.gss_code
    left join agency as a on a.party_state_id = w.party_state_id and a.party = b.winner_party
    where w.elected and w.code <> b.winner_party
),

our_gains as (
    select
        party_state_id,
        winner as party,
        count(*) as gains
    from changed
    group by party_state_id, winner
),

our_losses as (
    select
        party_state_id,
        held as party,
        count(*) as losses
    from changed
    group by party_state_id, held
)

select
    m.party_state_id,
    m.number_of_results,
    a.party,
    a.seats::integer as agency_seats,
    coalesce(o.seats, 0)::integer as our_seats,
    a.votes::bigint as agency_votes,
    coalesce(o.votes, 0)::bigint as our_votes,
    a.seats = coalesce(o.seats, 0)
    and a.votes = coalesce(o.votes, 0)
    and (
        not m.baseline_shared
        or (a.gains = coalesce(g.gains, 0) and a.losses = coalesce(l.losses, 0))
    ) as agrees,
    a.gains::integer as agency_gains,
    coalesce(g.gains, 0)::integer as our_gains,
    a.losses::integer as agency_losses,
    coalesce(l.losses, 0)::integer as our_losses,
    m.baseline_shared
from agency as a
inner join message as m on m.party_state_id = a.party_state_id
left join ours as o on o.party_state_id = a.party_state_id and o.party = a.party
left join our_gains as g on g.party_state_id = a.party_state_id and g.party = a.party
left join our_losses as l on l.party_state_id = a.party_state_id and l.party = a.party
