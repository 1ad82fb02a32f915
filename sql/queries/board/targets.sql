-- The API: results.targets, for one attacking party when :party is given.
select * from results.targets
where cast(:party as text) is null or attacking_party = cast(:party as text)
order by attacking_party, rank
