update pipeline.alert
set delivery_attempts = delivery_attempts + 1, delivery_error = :error
where alert_id = :alert_id
