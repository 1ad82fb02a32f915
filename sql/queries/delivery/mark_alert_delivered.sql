update pipeline.alert
set
    delivered_at = clock_timestamp(), delivery_attempts = delivery_attempts + 1, delivery_error = null,
    next_attempt_at = null
where alert_id = :alert_id
