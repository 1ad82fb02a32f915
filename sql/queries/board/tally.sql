-- The board and API: results.party_tally, biggest party first.
select * from results.party_tally
order by seats desc, votes desc, party asc
