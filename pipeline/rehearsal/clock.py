"""When each seat declares on a replayed night: pinned or real times where there are some, a clock model elsewhere."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.config import load_settings
from pipeline.rehearsal.nights import NIGHT_2019, Night, fixed_times, night_for
from pipeline.rehearsal.seats import ELECTION_ID, Seat, load_seats

# (mean hour after midnight, spread in hours) by region; Sunderland and
# Newcastle race to be first, Northern Ireland and rural Scotland count late.
_REGION_CLOCK: dict[str, tuple[float, float]] = {
    "North East": (1.6, 0.7),
    "Northern Ireland": (4.0, 0.7),
    "Scotland": (3.4, 0.9),
    "Wales": (3.0, 0.8),
}
_DEFAULT_CLOCK = (3.1, 0.9)


def rng(seed: int, *parts: str) -> random.Random:
    """One generator per (seed, seat, purpose): a seat's story does not depend on which others are planned."""
    return random.Random(":".join((str(seed), *parts)))


def declaration_time(
    seat: Seat, seed: int, night: Night = NIGHT_2019, fixed: Mapping[str, datetime] | None = None
) -> datetime:
    """When the returning officer declares (whole minutes), before any recount delay."""
    if fixed and seat.gss_code in fixed:
        return fixed[seat.gss_code]
    if seat.name in night.pinned:
        return night.pinned[seat.name]
    clock = rng(seed, seat.gss_code, "clock")
    if clock.random() < 0.04:  # counts that run into Friday morning
        hours = clock.uniform(5.2, 9.5)
    else:
        mean, spread = _REGION_CLOCK.get(seat.region, _DEFAULT_CLOCK)
        hours = min(max(clock.gauss(mean, spread), 0.4), 5.8)
    return night.midnight + timedelta(minutes=round(hours * 60))


def declaration_order(seed: int, seeds_dir: Path | None = None, election_id: str = ELECTION_ID) -> list[str]:
    """Every seat's GSS code in the order the night's clock model declares them for a seed (no recount delays)."""
    # The projection backtest replays past elections in orders like this one.
    night = night_for(election_id)
    seats = load_seats(seeds_dir, election_id)
    fixed = fixed_times(night, seats, Path(seeds_dir) if seeds_dir is not None else load_settings().seeds_dir)
    return [s.gss_code for s in sorted(seats, key=lambda s: (declaration_time(s, seed, night, fixed), s.gss_code))]
