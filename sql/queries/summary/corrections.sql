-- Seats whose story crossed message kinds: a rush came after a result of a lower revision
-- (the agency's correction chain), with each message of the chain in revision order.
select
    d.constituency,
    string_agg(
        d.kind || ' ' || d.revision || coalesce(' ' || d.winner_party, ''), ' → '
        order by d.revision asc, d.kind desc
    ) as chain
from results.declarations as d
where
    d.kind in ('rush', 'result')
    and exists (
        select 1 from results.declarations as later
        inner join results.declarations as earlier
            on earlier.gss_code = later.gss_code and earlier.kind = 'result' and earlier.revision < later.revision
        where later.gss_code = d.gss_code and later.kind = 'rush'
    )
group by d.constituency
order by d.constituency
