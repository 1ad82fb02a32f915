-- One row per role named: whether it exists, can log in, and holds any power
-- beyond its grants (`resultsnight db roles` refuses to hand out a password then).
select
    r.rolname as role,
    r.rolcanlogin as can_login,
    r.rolsuper or r.rolcreaterole or r.rolcreatedb or r.rolbypassrls or r.rolreplication as powerful
from pg_roles as r
where r.rolname = any(cast(:roles as text[]))
order by r.rolname
