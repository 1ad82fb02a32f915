select seat_declaration, declared, xtx, xty, ni_sum, ni_n, baseline_key
from pipeline.projection_state
where election_id = :election_id
