select
    counting_election_id,
    boundary_set,
    baseline_label
from results.count_setting
