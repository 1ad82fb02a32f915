-- The board and API: results.party_tally as it stood at :as_of.
select * from pipeline.party_tally_as_of(:as_of)
order by seats desc, votes desc, party asc
