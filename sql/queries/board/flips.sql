-- The board and API: results.flips in the order the seats were declared.
select * from results.flips
order by declared_at, gss_code
