-- One delivery attempt of an alert, in the transaction that claimed it.
insert into pipeline.alert_delivery (alert_id, receiver, status_code, error, delivered)
values (:alert_id, :receiver, :status_code, :error, :delivered)
