"""The projection's 80% band: a calibrated factor times the seats in doubt, widened on a volatile night.

A party's half-width is q(declared) * spread * sqrt(1 + marginal seats): the
marginal seats are the undeclared ones it is first or second in by under ten
points (more where the seat's nation has few declarations yet, and more on a
night whose declared seats scatter further about the fit: `spread`, from
pipeline.projection_fit.regression_fit), and q comes from
pipeline/calibration/projection_band.csv (`python -m pipeline.backtest_calibrate`,
on past elections only, each backtested election kept out of its own band).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.projection_base import Baseline, P

MARGINAL = 0.10  # a seat is marginal for a party first or second in it by under ten points
UNSEEN_MARGINAL, UNSEEN_SEATS = 0.25, 3.0  # ... or by more where its nation has few declarations

CALIBRATION_CSV = Path(__file__).resolve().parent / "calibration" / "projection_band.csv"


@dataclass(frozen=True)
class Band:
    """The calibrated 80% half-width factor q as a function of seats declared."""

    declared: np.ndarray  # grid of declared counts, increasing, 0 .. all
    q: np.ndarray  # factor at each grid point

    def at(self, declared_count: int) -> float:
        """q at this many declared seats (linear between grid points)."""
        return float(np.interp(declared_count, self.declared, self.q))


def load_band(path: Path = CALIBRATION_CSV, method: str = "regression", calibrated_on: str = "all") -> Band:
    """The band factors for a method, calibrated on the given elections ('all' for live use)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["method"] == method and r["calibrated_on"] == calibrated_on]
    if not rows:
        raise ValueError(f"{path} has no band for method {method!r} calibrated on {calibrated_on!r}")
    rows.sort(key=lambda r: int(r["declared_count"]))
    return Band(np.array([int(r["declared_count"]) for r in rows]), np.array([float(r["q"]) for r in rows]))


def marginal_seats(
    base: Baseline, mask: np.ndarray, shares: np.ndarray, spread: float = 1.0, groups: np.ndarray | None = None
) -> np.ndarray:
    """(P,) undeclared seats each party is first or second in by under the seat's margin of doubt."""
    # Ten points (times the night's spread), widened where the seat's nation
    # (or the given grouping, an index per seat) has few declarations yet:
    # nothing measured there means its change is anyone's guess.
    groups = base.nation if groups is None else groups
    seen = np.bincount(groups[mask], minlength=int(groups.max()) + 1)[groups]
    doubt = MARGINAL * spread + UNSEEN_MARGINAL * UNSEEN_SEATS / (UNSEEN_SEATS + seen)
    rows = ~mask
    top2 = np.argpartition(-shares[rows], 1, axis=1)[:, :2]
    s = np.take_along_axis(shares[rows], top2, axis=1)
    close = (s[:, 0] - s[:, 1]) < doubt[rows]
    return np.bincount(top2[close].ravel(), minlength=P)
