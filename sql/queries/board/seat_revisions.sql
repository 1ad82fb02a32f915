-- The API: every declaration stored for one seat, in the order it arrived.
select * from results.declarations
where gss_code = :gss_code
order by stored_at, declaration_id
