-- The API: results.projection_history with declared_count > :after (all of it
-- by default), oldest count first, then party.
select * from results.projection_history
where declared_count > :after
order by declared_count, party
