-- One row per (state-of-the-parties message of the counted election, party code in it):
-- the agency's seats and votes beside ours over exactly the constituencies the
-- message counts, from those seats' current results. Agency lines that map to
-- one code (several independents, Others, unknown parties) are summed; our
-- votes for a party the message does not list on its own count under OTH.
create or replace view pipeline.party_state_check as
with setting as (
    select counting_election_id from pipeline.count_setting
),

message as (
    select
        m.party_state_id,
        m.election_id,
        m.number_of_results
    from pipeline.party_state as m
    inner join setting on m.election_id = setting.counting_election_id
),

agency as (
    select
        p.party_state_id,
        p.party_code as party,
        sum(p.seats) as seats,
        sum(p.votes) as votes
    from pipeline.party_state_party as p
    inner join message as m on m.party_state_id = p.party_state_id
    group by p.party_state_id, p.party_code
),

our_candidates as (
    select
        m.party_state_id,
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
)

select
    m.party_state_id,
    m.number_of_results,
    a.party,
    a.seats::integer as agency_seats,
    coalesce(o.seats, 0)::integer as our_seats,
    a.votes::bigint as agency_votes,
    coalesce(o.votes, 0)::bigint as our_votes,
    a.seats = coalesce(o.seats, 0) and a.votes = coalesce(o.votes, 0) as agrees
from agency as a
inner join message as m on m.party_state_id = a.party_state_id
left join ours as o on o.party_state_id = a.party_state_id and o.party = a.party
