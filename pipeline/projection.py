"""Project the final House from the results declared so far: pure numpy, no database.

Declared seats count as they fell. Each undeclared seat gets its baseline
shares plus the change measured in the declared seats. Two methods:

- `uniform-nation` (the simple one, kept as the yardstick): the mean change of
  each party's share over the declared seats of the seat's nation (England,
  Scotland, Wales, Northern Ireland); a nation with nothing declared yet takes
  Great Britain's mean change (Northern Ireland: no change). Each undeclared
  seat goes to the party with the largest projected share.
- `regression` (the default): the change of every party's share in a seat is
  modelled on the declared seats by ridge regression on the seat's own
  baseline: an intercept for Great Britain, a deviation for Scotland and for
  Wales and one for each English region (each shrunk toward zero, so a region
  with few declarations follows its nation), slopes on the baseline shares
  of the main parties (a party can fall furthest where it was strongest:
  proportional rather than uniform change) and who held the seat. Northern
  Ireland has its own parties and gets its own mean change, shrunk toward
  none. Each undeclared seat counts as expected seats between its projected
  top two (SEAT_NOISE), rounded so the House adds up.

A party that did not stand at the baseline (the Brexit Party against 2017) has
a baseline share of zero, so its projected share is simply its modelled
change: what it polls in comparable declared seats (uniform-nation: its mean
share, zeros included, in the declared seats of the nation). Seats where the
Speaker stood, at the baseline or now, are left out of the measurement.

The 80% band (`low`, `high`) is calibrated on past elections: its half-width
for a party is q(declared) * sqrt(1 + marginal seats), the marginal seats
being the undeclared ones the party is first or second in by under ten points
(more where the seat's nation has few declarations yet), and q comes from
pipeline/calibration/projection_band.csv (`python -m pipeline.backtest
--calibrate`, on past elections only).

Why one module of about 360 lines: both methods, the band and the running
sums that keep a refresh's cost flat share the same arrays and party order;
split apart, each piece would have to re-derive them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PARTIES = (
    "CON",
    "LAB",
    "LD",
    "SNP",
    "PC",
    "GRN",
    "BRX",
    "UKIP",
    "DUP",
    "SF",
    "SDLP",
    "UUP",
    "ALL",
    "SPK",
    "IND",
    "OTH",
    "REF",
    "TUV",
)  # REF and TUV last: the ties of earlier nights still go as they went
NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")
UNIFORM, REGRESSION = "uniform-nation", "regression"
METHODS = (UNIFORM, REGRESSION)

P = len(PARTIES)
_IDX = {p: i for i, p in enumerate(PARTIES)}
_SPK = _IDX["SPK"]
_NI = NATIONS.index("Northern Ireland")
# Baseline shares the regression uses as slopes (others are the remainder).
_SLOPE_GROUPS = (("CON",), ("LAB",), ("LD",), ("SNP", "PC"), ("GRN",), ("UKIP", "BRX", "REF"))
_HOLDERS = ("CON", "LAB", "LD", "SNP")  # who held the seat at the baseline (incumbency)
MARGINAL = 0.10  # a seat is marginal for a party first or second in it by under ten points
UNSEEN_MARGINAL, UNSEEN_SEATS = 0.25, 3.0  # ... or by more where its nation has few declarations

CALIBRATION_CSV = Path(__file__).resolve().parent / "calibration" / "projection_band.csv"

# Ridge penalties, in seats' worth of evidence (features are scaled to unit
# spread). Chosen on the 2010->2015 and 2015->2017 replays only; 2017->2019
# was not looked at while choosing them.
RIDGE_NATION = 0.1  # Scotland's and Wales's deviation from Great Britain
RIDGE_REGION = 8.0  # each English region's deviation
RIDGE_SLOPE = 30.0  # each baseline-share slope
RIDGE_HOLDER = 3.0  # each incumbency indicator
RIDGE_NI = 3.0  # Northern Ireland's mean change, shrunk toward no change


@dataclass(frozen=True)
class Baseline:
    """The baseline election on the current boundaries: one row per seat."""

    gss_codes: tuple[str, ...]
    index: Mapping[str, int]
    nation: np.ndarray  # (S,) index into NATIONS
    region: np.ndarray  # (S,) index into regions
    regions: tuple[str, ...]
    shares: np.ndarray  # (S, P) vote shares as fractions
    design: np.ndarray  # (S, F) regression features of GB seats (NI rows unused)
    penalty: np.ndarray  # (F,) ridge penalty per feature


@dataclass(frozen=True)
class Declared:
    """The results declared so far: a mask and, on declared rows, the shares and the winner."""

    mask: np.ndarray  # (S,) bool
    shares: np.ndarray  # (S, P); rows of undeclared seats are ignored
    winner: np.ndarray  # (S,) party index; -1 where undeclared


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


def shares_of(votes: Mapping[str, int]) -> np.ndarray:
    """A seat's votes by party code as a (P,) vector of shares (unknown codes count as OTH)."""
    out = np.zeros(P)
    for party, v in votes.items():
        out[_IDX.get(party, _IDX["OTH"])] += v
    total = out.sum()
    return out / total if total > 0 else out


def _share_matrix(gss: Sequence[str], votes: Mapping[str, Mapping[str, int]]) -> np.ndarray:
    """(S, P) shares of each seat's votes, built in one pass (this runs once per process start)."""
    rows, cols, vals = [], [], []
    for i, g in enumerate(gss):
        for party, v in votes.get(g, {}).items():
            rows.append(i)
            cols.append(_IDX.get(party, _IDX["OTH"]))
            vals.append(v)
    out = np.zeros((len(gss), P))
    np.add.at(out, (np.array(rows, dtype=int), np.array(cols, dtype=int)), np.array(vals, dtype=float))
    totals = out.sum(axis=1, keepdims=True)
    return np.divide(out, totals, out=np.zeros_like(out), where=totals > 0)


def make_baseline(seats: Iterable[tuple[str, str, str]], votes: Mapping[str, Mapping[str, int]]) -> Baseline:
    """Build the baseline from (gss_code, region, country) rows and each seat's baseline votes by party."""
    rows = sorted(seats)
    gss = tuple(r[0] for r in rows)
    nation = np.array([NATIONS.index(r[2]) for r in rows])
    regions = tuple(sorted({r[1] for r in rows}))
    region = np.array([regions.index(r[1]) for r in rows])
    shares = _share_matrix(gss, votes)
    gb = nation != _NI
    cols: list[np.ndarray] = [np.ones(len(gss)), (nation == 1) * 1.0, (nation == 2) * 1.0]
    pen = [0.0, RIDGE_NATION, RIDGE_NATION]
    england = nation == 0
    for r in sorted(set(region[england].tolist())):
        cols.append((region == r) * 1.0)
        pen.append(RIDGE_REGION)
    for group in _SLOPE_GROUPS:
        x = shares[:, [_IDX[p] for p in group]].sum(axis=1)
        spread = x[gb].std() or 1.0
        cols.append((x - x[gb].mean()) / spread)
        pen.append(RIDGE_SLOPE)
    winner = np.argmax(shares, axis=1)
    for party in _HOLDERS:
        held = (winner == _IDX[party]) * 1.0
        cols.append(held - held[gb].mean())
        pen.append(RIDGE_HOLDER)
    return Baseline(
        gss, {g: i for i, g in enumerate(gss)}, nation, region, regions, shares, np.column_stack(cols), np.array(pen)
    )


def declared_from(base: Baseline, results: Mapping[str, Mapping[str, int]]) -> Declared:
    """The Declared state from each declared seat's current votes by party."""
    mask = np.zeros(len(base.gss_codes), dtype=bool)
    shares = np.zeros_like(base.shares)
    for gss, votes in results.items():
        i = base.index[gss]
        mask[i] = True
        shares[i] = shares_of(votes)
    return declared_rows(base, mask, shares)


def declared_rows(base: Baseline, mask: np.ndarray, shares: np.ndarray) -> Declared:
    """The Declared state from a mask and a full (S, P) share matrix; winners from the shares."""
    winner = np.where(mask, _winners(shares), -1)
    return Declared(mask, shares, winner)


def _winners(shares: np.ndarray) -> np.ndarray:
    # Ties (not met in real counts) go to the first party in PARTIES order.
    return np.argmax(shares, axis=1)


def _uniform(base: Baseline, d: Declared) -> np.ndarray:
    """(S, P) change per seat: the mean change of the seat's nation."""
    diff = d.shares - base.shares
    gb = d.mask & (base.nation != _NI)
    fallback = diff[gb].mean(axis=0) if gb.any() else np.zeros(P)
    change = np.zeros((len(NATIONS), P))
    for n in range(len(NATIONS)):
        rows = d.mask & (base.nation == n)
        change[n] = diff[rows].mean(axis=0) if rows.any() else (0.0 if n == _NI else fallback)
    return change[base.nation]


@dataclass
class Stats:
    """What the regression needs from the declared seats; additive, so one seat can be added or taken back."""

    mask: np.ndarray  # (S,) bool: declared
    declared: np.ndarray  # (P,) seats won so far
    xtx: np.ndarray  # (F, F) over declared GB seats without the Speaker
    xty: np.ndarray  # (F, P) the same seats' design times share change
    ni_sum: np.ndarray  # (P,) summed share change over declared NI seats
    ni_n: int


def empty_stats(base: Baseline) -> Stats:
    """Stats with nothing declared."""
    f = base.design.shape[1]
    return Stats(
        np.zeros(len(base.gss_codes), dtype=bool),
        np.zeros(P, dtype=int),
        np.zeros((f, f)),
        np.zeros((f, P)),
        np.zeros(P),
        0,
    )


def add_seat(base: Baseline, stats: Stats, i: int, shares: np.ndarray, winner: int, sign: int = 1) -> None:
    """Count seat i's result (shares, winner) into stats in place; sign=-1 takes a superseded result back."""
    stats.mask[i] = sign > 0
    stats.declared[winner] += sign
    change = shares - base.shares[i]
    if base.nation[i] == _NI:
        stats.ni_sum += sign * change
        stats.ni_n += sign
    elif not (base.shares[i, _SPK] > 0 or shares[_SPK] > 0):
        x = base.design[i]
        stats.xtx += sign * np.outer(x, x)
        stats.xty += sign * np.outer(x, change)


def stats_of(base: Baseline, d: Declared) -> Stats:
    """Stats of every declared seat at once."""
    diff = d.shares - base.shares
    speaker = (base.shares[:, _SPK] > 0) | (d.shares[:, _SPK] > 0)
    gb = base.nation != _NI
    fit = d.mask & gb & ~speaker
    ni = d.mask & ~gb
    x = base.design[fit]
    return Stats(
        d.mask.copy(),
        np.bincount(d.winner[d.mask], minlength=P),
        x.T @ x,
        x.T @ diff[fit],
        diff[ni].sum(axis=0),
        int(ni.sum()),
    )


def _regression(base: Baseline, stats: Stats) -> np.ndarray:
    """(S, P) change per seat from the ridge model (GB) and a shrunk mean (NI)."""
    out = np.zeros_like(base.shares)
    gb = base.nation != _NI
    if stats.xtx[0, 0] > 0:  # the intercept's entry: the number of seats fitted
        beta = np.linalg.solve(stats.xtx + np.diag(base.penalty), stats.xty)
        out[gb] = base.design[gb] @ beta
    if stats.ni_n:
        out[~gb] = stats.ni_sum / (stats.ni_n + RIDGE_NI)
    return out


def project_shares(base: Baseline, d: Declared, method: str = REGRESSION) -> np.ndarray:
    """(S, P) shares: declared seats as declared, undeclared ones projected (clipped at zero)."""
    change = _uniform(base, d) if method == UNIFORM else _regression(base, stats_of(base, d))
    proj = np.clip(base.shares + change, 0.0, None)
    return np.where(d.mask[:, None], d.shares, proj)


@dataclass(frozen=True)
class Band:
    """The calibrated 80% half-width factor q as a function of seats declared."""

    declared: np.ndarray  # grid of declared counts, increasing, 0 .. all
    q: np.ndarray  # factor at each grid point

    def at(self, declared_count: int) -> float:
        """q at this many declared seats (linear between grid points)."""
        return float(np.interp(declared_count, self.declared, self.q))


def load_band(path: Path = CALIBRATION_CSV, method: str = REGRESSION, calibrated_on: str = "all") -> Band:
    """The band factors for a method, calibrated on the given elections ('all' for live use)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["method"] == method and r["calibrated_on"] == calibrated_on]
    if not rows:
        raise ValueError(f"{path} has no band for method {method!r} calibrated on {calibrated_on!r}")
    rows.sort(key=lambda r: int(r["declared_count"]))
    return Band(np.array([int(r["declared_count"]) for r in rows]), np.array([float(r["q"]) for r in rows]))


def marginal_seats(base: Baseline, mask: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """(P,) undeclared seats each party is first or second in by under the seat's margin of doubt."""
    # Ten points, widened where the seat's nation has few declarations yet:
    # nothing measured there means its change is anyone's guess.
    seen = np.bincount(base.nation[mask], minlength=len(NATIONS))[base.nation]
    doubt = MARGINAL + UNSEEN_MARGINAL * UNSEEN_SEATS / (UNSEEN_SEATS + seen)
    rows = ~mask
    top2 = np.argpartition(-shares[rows], 1, axis=1)[:, :2]
    s = np.take_along_axis(shares[rows], top2, axis=1)
    close = (s[:, 0] - s[:, 1]) < doubt[rows]
    return np.bincount(top2[close].ravel(), minlength=P)


SEAT_NOISE = 0.04  # each share's error in a seat; chosen on 2015 and 2017 like the penalties


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
    base: Baseline, mask: np.ndarray, declared: np.ndarray, change: np.ndarray, method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shares = np.clip(base.shares + change, 0.0, None)  # only the undeclared rows are used
    rows = ~mask
    if method == UNIFORM:
        projected = declared + np.bincount(_winners(shares[rows]), minlength=P)
    else:
        projected = declared + _round_to(int(rows.sum()), _expected_seats(shares[rows]))
    return declared, projected, marginal_seats(base, mask, shares)


def seat_counts(base: Baseline, d: Declared, method: str = REGRESSION) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(declared, projected, marginal) seat counts per party, each (P,)."""
    declared = np.bincount(d.winner[d.mask], minlength=P)
    change = _uniform(base, d) if method == UNIFORM else _regression(base, stats_of(base, d))
    return _counts(base, d.mask, declared, change, method)


def _lines(
    base: Baseline, mask: np.ndarray, counts: tuple[np.ndarray, np.ndarray, np.ndarray], band: Band, method: str
) -> list[PartyProjection]:
    declared, projected, marginal = counts
    n = int(mask.sum())
    undeclared = len(base.gss_codes) - n
    half = band.at(n) * np.sqrt(1 + marginal) if undeclared else np.zeros(P)
    low = np.maximum(np.rint(projected - half), declared).astype(int)
    high = np.minimum(np.rint(projected + half), declared + undeclared).astype(int)
    return [
        PartyProjection(PARTIES[i], int(declared[i]), int(projected[i]), int(low[i]), int(high[i]), n, method)
        for i in range(P)
        if declared[i] or projected[i] or high[i]
    ]


def project(base: Baseline, d: Declared, band: Band, method: str = REGRESSION) -> list[PartyProjection]:
    """The projection, one line per party holding or projected to hold a seat or within its band of one."""
    return _lines(base, d.mask, seat_counts(base, d, method), band, method)


def project_stats(base: Baseline, stats: Stats, band: Band) -> list[PartyProjection]:
    """The regression projection from running Stats (what a refresh keeps between results)."""
    counts = _counts(base, stats.mask, stats.declared, _regression(base, stats), REGRESSION)
    return _lines(base, stats.mask, counts, band, REGRESSION)
