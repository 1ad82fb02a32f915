-- The API: alerts raised after alert :after, oldest first.
select * from results.alerts where alert_id > :after order by alert_id
