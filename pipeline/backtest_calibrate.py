"""Calibrate the projection's 80% band on past elections: pipeline/calibration/projection_band.csv.

`python -m pipeline.backtest_calibrate` replays every backtested election
(2015, 2017, 2019 and 2024) in other orders than the backtest's and writes,
for each method, a row set calibrated on all of them (`all`, the live
night's) and one for each election held out (named by the others), which is
the band the backtest scores that election with.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from pipeline import projection as pj
from pipeline.backtest import CALIBRATION_SEED, ELECTIONS, GRID, ORDER_KINDS, REPORTED, load_election, orders, others

COVERAGE = 0.80
_CALIBRATED = [pj.PARTIES.index(p) for p in REPORTED]


def calibrate(count: int = 20, tick: Callable[[], None] | None = None) -> list[dict[str, str]]:
    """Band rows (method, calibrated_on, declared_count, q) for every held-out set and for 'all'."""
    # z = |error| / (spread * sqrt(1 + marginal seats)) for CON, LAB, SNP and
    # LD, pooled over parties and orders; q is its 80th percentile at each mark.
    z: dict[tuple[str, str], dict[int, list[float]]] = {}
    for election in ELECTIONS:
        r = load_election(election)
        for kind in ORDER_KINDS:
            for order in orders(r.base, kind, count, CALIBRATION_SEED, election):
                for method in pj.METHODS:
                    per = z.setdefault((election, method), {m: [] for m in GRID})
                    for mark in GRID:
                        mask = np.zeros(len(r.base.gss_codes), dtype=bool)
                        mask[order[:mark]] = True
                        c = pj.seat_counts(r.base, pj.declared_rows(r.base, mask, r.final), method)
                        scaled = np.abs(c.projected - r.final_seats) / (c.spread * np.sqrt(1 + c.marginal))
                        per[mark] += scaled[_CALIBRATED].tolist()
                if tick:
                    tick()
    rows = []
    for method in pj.METHODS:
        for held_out in [*ELECTIONS, None]:
            used = [e for e in ELECTIONS if e != held_out]
            name = "all" if held_out is None else others(held_out)
            for mark in GRID:
                values = np.concatenate([z[(e, method)][mark] for e in used])
                q = float(np.quantile(values, COVERAGE)) if mark < GRID[-1] else 0.0
                rows.append({"method": method, "calibrated_on": name, "declared_count": str(mark), "q": f"{q:.4f}"})
    return rows


def write_calibration(rows: Sequence[dict[str, str]], path: Path = pj.CALIBRATION_CSV) -> None:
    """Write the band calibration CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["method", "calibrated_on", "declared_count", "q"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    if sys.argv[1:]:
        raise SystemExit("usage: python -m pipeline.backtest_calibrate   (the backtest itself: resultsnight backtest)")
    write_calibration(calibrate())  # every backtested election: 2015, 2017, 2019 and 2024
    print(f"wrote {pj.CALIBRATION_CSV}")
