-- Whether results.projection exists in this database yet.
select to_regclass('results.projection') is not null
