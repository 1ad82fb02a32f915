"""The projection's inputs: party order, the baseline election on the current boundaries, the results declared so far.

Pure numpy, no database. `make_baseline` also builds the regression's design
(pipeline.projection_fit): one row of features per seat, each feature with
its ridge penalty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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

P = len(PARTIES)
IDX = {p: i for i, p in enumerate(PARTIES)}
SPK = IDX["SPK"]
NI = NATIONS.index("Northern Ireland")
# Baseline shares the regression uses as slopes (others are the remainder).
_SLOPE_GROUPS = (("CON",), ("LAB",), ("LD",), ("SNP", "PC"), ("GRN",), ("UKIP", "BRX", "REF"))
_HOLDERS = ("CON", "LAB", "LD", "SNP")  # who held the seat at the baseline (incumbency)
# Who came second at the baseline: the challenger a seat's tactical voters
# rally behind. Without it the model cannot tell a Conservative seat with the
# Liberal Democrats second from one with Labour second, and gives both the
# same change (issue 20: 2024's Conservative seats fell to whoever was second).
_CHALLENGERS = ("CON", "LAB", "LD")

# Ridge penalties, in seats' worth of evidence (features are scaled to unit
# spread). Chosen on the 2010->2015 and 2015->2017 replays only; 2017->2019
# was not looked at while choosing them.
RIDGE_NATION = 0.1  # Scotland's and Wales's deviation from Great Britain
RIDGE_REGION = 8.0  # each English region's deviation
RIDGE_SLOPE = 30.0  # each baseline-share slope
RIDGE_HOLDER = 3.0  # each incumbency indicator
# Each challenger indicator: the incumbency indicators' penalty, not tuned
# (on 2015 and 2017 alone the terms neither help nor hurt at any penalty).
RIDGE_CHALLENGER = RIDGE_HOLDER


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


def shares_of(votes: Mapping[str, int]) -> np.ndarray:
    """A seat's votes by party code as a (P,) vector of shares (unknown codes count as OTH)."""
    out = np.zeros(P)
    for party, v in votes.items():
        out[IDX.get(party, IDX["OTH"])] += v
    total = out.sum()
    return out / total if total > 0 else out


def _share_matrix(gss: Sequence[str], votes: Mapping[str, Mapping[str, int]]) -> np.ndarray:
    """(S, P) shares of each seat's votes, built in one pass (this runs once per process start)."""
    rows, cols, vals = [], [], []
    for i, g in enumerate(gss):
        for party, v in votes.get(g, {}).items():
            rows.append(i)
            cols.append(IDX.get(party, IDX["OTH"]))
            vals.append(v)
    out = np.zeros((len(gss), P))
    np.add.at(out, (np.array(rows, dtype=int), np.array(cols, dtype=int)), np.array(vals, dtype=float))
    totals = out.sum(axis=1, keepdims=True)
    return np.divide(out, totals, out=np.zeros_like(out), where=totals > 0)


def _indicators(
    cols: list[np.ndarray], pen: list[float], placed: np.ndarray, gb: np.ndarray, parties: Sequence[str], ridge: float
) -> None:
    """Append a centred indicator column per party (placed == party), each with the given penalty."""
    for party in parties:
        x = (placed == IDX[party]) * 1.0
        cols.append(x - x[gb].mean())
        pen.append(ridge)


def make_baseline(seats: Iterable[tuple[str, str, str]], votes: Mapping[str, Mapping[str, int]]) -> Baseline:
    """Build the baseline from (gss_code, region, country) rows and each seat's baseline votes by party."""
    rows = sorted(seats)
    gss = tuple(r[0] for r in rows)
    nation = np.array([NATIONS.index(r[2]) for r in rows])
    regions = tuple(sorted({r[1] for r in rows}))
    region = np.array([regions.index(r[1]) for r in rows])
    shares = _share_matrix(gss, votes)
    gb = nation != NI
    cols: list[np.ndarray] = [np.ones(len(gss)), (nation == 1) * 1.0, (nation == 2) * 1.0]
    pen = [0.0, RIDGE_NATION, RIDGE_NATION]
    england = nation == 0
    for r in sorted(set(region[england].tolist())):
        cols.append((region == r) * 1.0)
        pen.append(RIDGE_REGION)
    for group in _SLOPE_GROUPS:
        x = shares[:, [IDX[p] for p in group]].sum(axis=1)
        spread = x[gb].std() or 1.0
        cols.append((x - x[gb].mean()) / spread)
        pen.append(RIDGE_SLOPE)
    ranked = np.argsort(-shares, axis=1, kind="stable")
    _indicators(cols, pen, ranked[:, 0], gb, _HOLDERS, RIDGE_HOLDER)
    _indicators(cols, pen, ranked[:, 1], gb, _CHALLENGERS, RIDGE_CHALLENGER)
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
    winner = np.where(mask, winners(shares), -1)
    return Declared(mask, shares, winner)


def winners(shares: np.ndarray) -> np.ndarray:
    """(S,) the party with the largest share in each row."""
    # Ties (not met in real counts) go to the first party in PARTIES order.
    return np.argmax(shares, axis=1)
