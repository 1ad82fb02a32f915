insert into pipeline.boundary_set_constituency (boundary_set, gss_code)
values (:boundary_set, :gss_code)
on conflict do nothing
