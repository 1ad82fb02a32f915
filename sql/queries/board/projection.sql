-- The API: results.projection, biggest projected party first.
select * from results.projection
order by projected_seats desc, party asc
