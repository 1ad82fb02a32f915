"""Project the final House from the results declared so far: pure numpy, no database.

Declared seats count as they fell. Each undeclared seat gets its baseline
shares plus the change measured in the declared seats
(pipeline.projection_fit). Two methods:

- `uniform-nation` (the simple one, kept as the yardstick): the mean change of
  each party's share over the declared seats of the seat's nation (England,
  Scotland, Wales, Northern Ireland); a nation with nothing declared yet takes
  Great Britain's mean change (Northern Ireland: no change). Each undeclared
  seat goes to the party with the largest projected share.
- `regression` (the default): the change of every party's share in a seat is
  modelled on the declared seats by ridge regression on the seat's own
  baseline (pipeline.projection_base): an intercept for Great Britain, a
  deviation for Scotland and for Wales and one for each English region (each
  shrunk toward zero, so a region with few declarations follows its nation),
  slopes on the baseline shares of the main parties (a party can fall
  furthest where it was strongest: proportional rather than uniform change),
  who held the seat and who came second (the challenger tactical voters rally
  behind). Northern Ireland has its own parties and gets its own mean change,
  shrunk toward none. Each undeclared seat counts as expected seats between
  its projected top two (SEAT_NOISE), rounded so the House adds up.

A party that did not stand at the baseline (the Brexit Party against 2017) has
a baseline share of zero, so its projected share is simply its modelled
change: what it polls in comparable declared seats (uniform-nation: its mean
share, zeros included, in the declared seats of the nation). Seats where the
Speaker stood, at the baseline or now, are left out of the measurement.

The 80% band (`low`, `high`) is pipeline.projection_band's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.projection_band import CALIBRATION_CSV, Band, load_band, marginal_seats
from pipeline.projection_base import (
    NATIONS,
    PARTIES,
    Baseline,
    Declared,
    P,
    declared_from,
    declared_rows,
    make_baseline,
    shares_of,
    winners,
)
from pipeline.projection_fit import (
    Stats,
    add_seat,
    empty_stats,
    regression_fit,
    stats_of,
    uniform_change,
)

__all__ = [
    "CALIBRATION_CSV",
    "METHODS",
    "NATIONS",
    "PARTIES",
    "REGRESSION",
    "UNIFORM",
    "Band",
    "Baseline",
    "Declared",
    "P",
    "PartyProjection",
    "Stats",
    "add_seat",
    "declared_from",
    "declared_rows",
    "empty_stats",
    "load_band",
    "make_baseline",
    "project",
    "project_shares",
    "project_stats",
    "seat_counts",
    "shares_of",
    "stats_of",
]

UNIFORM, REGRESSION = "uniform-nation", "regression"
METHODS = (UNIFORM, REGRESSION)
SEAT_NOISE = 0.04  # each share's error in a seat; chosen on 2015 and 2017 like the penalties


@dataclass(frozen=True)
class PartyProjection:
    """One party's line of the projection."""

    party: str
    declared_seats: int
    projected_seats: int
    low: int
    high: int
    declared_count: int
    method: str


@dataclass(frozen=True)
class Counts:
    """Seat counts per party, each (P,), and the night's spread that scales the band."""

    declared: np.ndarray
    projected: np.ndarray
    marginal: np.ndarray
    spread: float


def _change(base: Baseline, d: Declared, method: str) -> tuple[np.ndarray, float]:
    if method == UNIFORM:
        return uniform_change(base, d), 1.0
    return regression_fit(base, stats_of(base, d))


def project_shares(base: Baseline, d: Declared, method: str = REGRESSION) -> np.ndarray:
    """(S, P) shares: declared seats as declared, undeclared ones projected (clipped at zero)."""
    proj = np.clip(base.shares + _change(base, d, method)[0], 0.0, None)
    return np.where(d.mask[:, None], d.shares, proj)


def _expected_seats(shares: np.ndarray) -> np.ndarray:
    """(P,) expected seats over the given rows, each seat shared between its top two by a noisy margin."""
    if not len(shares):
        return np.zeros(P)
    top2 = np.argpartition(-shares, 1, axis=1)[:, :2]
    s = np.take_along_axis(shares, top2, axis=1)
    # Logistic approximation of the normal CDF: P(first stays ahead) given seat noise on each share.
    p_first = 1.0 / (1.0 + np.exp(-1.702 * (s[:, 0] - s[:, 1]) / (SEAT_NOISE * np.sqrt(2.0))))
    return np.bincount(top2[:, 0], p_first, minlength=P) + np.bincount(top2[:, 1], 1.0 - p_first, minlength=P)


def _round_to(total: int, values: np.ndarray) -> np.ndarray:
    """Integers summing to total, by largest remainder."""
    base = np.floor(values).astype(int)
    short = total - int(base.sum())
    if short > 0:
        base[np.argsort(-(values - base), kind="stable")[:short]] += 1
    return base


def _counts(
    base: Baseline, mask: np.ndarray, declared: np.ndarray, change: np.ndarray, spread: float, method: str
) -> Counts:
    shares = np.clip(base.shares + change, 0.0, None)  # only the undeclared rows are used
    rows = ~mask
    if method == UNIFORM:
        projected = declared + np.bincount(winners(shares[rows]), minlength=P)
    else:
        projected = declared + _round_to(int(rows.sum()), _expected_seats(shares[rows]))
    return Counts(declared, projected, marginal_seats(base, mask, shares, spread), spread)


def seat_counts(base: Baseline, d: Declared, method: str = REGRESSION) -> Counts:
    """Declared, projected and marginal seat counts per party, and the night's spread."""
    declared = np.bincount(d.winner[d.mask], minlength=P)
    return _counts(base, d.mask, declared, *_change(base, d, method), method)


def _lines(base: Baseline, mask: np.ndarray, c: Counts, band: Band, method: str) -> list[PartyProjection]:
    n = int(mask.sum())
    undeclared = len(base.gss_codes) - n
    half = band.at(n) * c.spread * np.sqrt(1 + c.marginal) if undeclared else np.zeros(P)
    low = np.maximum(np.rint(c.projected - half), c.declared).astype(int)
    high = np.minimum(np.rint(c.projected + half), c.declared + undeclared).astype(int)
    return [
        PartyProjection(PARTIES[i], int(c.declared[i]), int(c.projected[i]), int(low[i]), int(high[i]), n, method)
        for i in range(P)
        if c.declared[i] or c.projected[i] or high[i]
    ]


def project(base: Baseline, d: Declared, band: Band, method: str = REGRESSION) -> list[PartyProjection]:
    """The projection, one line per party holding or projected to hold a seat or within its band of one."""
    return _lines(base, d.mask, seat_counts(base, d, method), band, method)


def project_stats(base: Baseline, stats: Stats, band: Band) -> list[PartyProjection]:
    """The regression projection from running Stats (what a refresh keeps between results)."""
    change, spread = regression_fit(base, stats)
    return _lines(
        base, stats.mask, _counts(base, stats.mask, stats.declared, change, spread, REGRESSION), band, REGRESSION
    )
