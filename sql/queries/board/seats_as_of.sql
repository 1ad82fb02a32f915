-- The board and API: every constituency's seat_status as it stood at a time
-- (nominations included: pipeline.seat_status_as_of, the live view's own definition).
select * from pipeline.seat_status_as_of(:as_of)
order by gss_code
