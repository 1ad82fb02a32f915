select status, count(*) from results.seat_status group by status
