-- The board and API: every constituency's seat_status as it stood at :as_of.
select * from pipeline.seat_status_as_of(:as_of) order by gss_code
