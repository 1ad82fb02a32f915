-- The API: alerts raised after alert :after, oldest first, a page of at most :max_rows.
-- Not the delivery bookkeeping (attempts, last_error, next_attempt_at): that is the
-- pipeline's, for analysts in results.alerts, not for every browser.
select
    alert_id,
    kind,
    gss_code,
    constituency,
    from_party,
    to_party,
    source,
    call_id,
    message,
    raised_at,
    declared_at,
    delivered_at
from results.alerts
where alert_id > :after
order by alert_id
limit :max_rows
