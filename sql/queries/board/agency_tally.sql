-- The API: the agency's latest state of the parties, as it published it.
select * from results.agency_tally
order by seats desc, votes desc, party_label asc
