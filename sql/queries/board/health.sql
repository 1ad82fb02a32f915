-- /healthz: the database answers.
select 1
