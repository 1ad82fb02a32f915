-- The API: the agency's latest state of the parties beside our figures over the same constituencies.
select * from results.agency_check
order by agency_seats desc, agency_votes desc, party asc
