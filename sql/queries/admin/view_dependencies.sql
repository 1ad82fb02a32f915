-- Which of our views (and materialised views) each of our views reads, from
-- the catalogue: the manifests' depends_on must say the same (tests/test_views.py).
select distinct
    v.relnamespace::regnamespace::text || '.' || v.relname as view_name,
    u.relnamespace::regnamespace::text || '.' || u.relname as uses
from pg_depend as d
inner join pg_rewrite as r on r.oid = d.objid
inner join pg_class as v on v.oid = r.ev_class
inner join pg_class as u on u.oid = d.refobjid
where
    d.classid = 'pg_rewrite'::regclass
    and d.refclassid = 'pg_class'::regclass
    and u.oid <> v.oid
    and u.relkind in ('v', 'm')
    and v.relnamespace::regnamespace::text in ('results', 'pipeline')
order by 1, 2
