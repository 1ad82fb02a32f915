-- The board and API: results.flips as it stood at :as_of.
select * from pipeline.flips_as_of(:as_of)
order by declared_at, gss_code
