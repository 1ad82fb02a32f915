-- resultsnight schema, revision 0019: the projection's running sums gain each party's summed
-- squared share change (float64 P), from which the night's spread about the fit widens the band,
-- and the regression gains challenger terms (F grows). Sums kept before this cannot be extended,
-- so they are dropped: the next refresh rebuilds them from every declared seat.
delete from pipeline.projection_state;
alter table pipeline.projection_state add column yty bytea not null;
