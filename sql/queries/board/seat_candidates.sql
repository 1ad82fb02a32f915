-- The API: the candidates of one seat's current result.
select * from results.candidates
where gss_code = :gss_code
order by position
