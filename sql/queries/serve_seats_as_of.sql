-- The board and API: every constituency's seat_status as it stood at a time, with how many
-- candidates the nominations stored by then put on its ballot (the latest revision by then).
select s.*, n.candidates_nominated
from pipeline.seat_status_as_of(:as_of) as s
left join lateral (
    select count(*)::integer as candidates_nominated
    from pipeline.nominee as c
    where c.nomination_id = (
        select l.nomination_id from pipeline.nomination as l
        join pipeline.count_setting as cs on l.election_id = cs.counting_election_id
        where l.gss_code = s.gss_code and l.received_at <= :as_of
        order by l.revision desc limit 1
    )
    having count(*) > 0
) as n on true
order by s.gss_code
