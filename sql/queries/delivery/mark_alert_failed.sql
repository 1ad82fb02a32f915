-- A failed attempt: the alert waits :backoff_seconds (its own backoff) before it is due again.
update pipeline.alert
set
    delivery_attempts = delivery_attempts + 1, delivery_error = :error,
    next_attempt_at = clock_timestamp() + make_interval(secs => :backoff_seconds)
where alert_id = :alert_id
