-- The board and API: every constituency's results.seat_status row.
select * from results.seat_status
order by gss_code
