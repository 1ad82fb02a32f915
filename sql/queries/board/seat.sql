-- The API: one constituency's results.seat_status row.
select * from results.seat_status
where gss_code = :gss_code
