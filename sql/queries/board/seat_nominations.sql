-- The API: the candidates nominated in one seat (its latest nominations revision).
select * from results.nominations
where gss_code = :gss_code
order by position
