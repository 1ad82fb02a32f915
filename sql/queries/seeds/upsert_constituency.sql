insert into pipeline.constituency (gss_code, name, name_key, region, county, country)
values (:gss_code, :name, :name_key, :region, :county, :country)
on conflict (gss_code) do update
    set
        name = excluded.name, name_key = excluded.name_key, region = excluded.region,
        county = excluded.county, country = excluded.country
    where (
        pipeline.constituency.name, pipeline.constituency.name_key, pipeline.constituency.region,
        pipeline.constituency.county, pipeline.constituency.country
    )
    is distinct from (excluded.name, excluded.name_key, excluded.region, excluded.county, excluded.country)
