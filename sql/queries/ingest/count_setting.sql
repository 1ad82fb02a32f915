select
    counting_election_id,
    baseline_election_id
from pipeline.count_setting
