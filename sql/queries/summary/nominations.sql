-- How many seats have their candidates from the agency's nominations, and how many candidates.
select
    count(distinct gss_code) as seats,
    count(*) as candidates
from results.nominations
