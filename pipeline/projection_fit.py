"""The change in each party's share that the projection applies to undeclared seats, measured on declared ones.

Two methods. `uniform-nation`: the mean change of the seat's nation. The
`regression` method: ridge regression of the change on the baseline's
features (pipeline.projection_base.make_baseline) over running sums that one
seat can be added to or taken back from, so a refresh costs the same all
night; Northern Ireland gets its own mean change, shrunk toward none. The same
sums give the spread of the declared seats about the fit: how much this
night's seats differ from one another once the model has explained what it can
(`regression_fit`), which widens the band on a volatile night.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.projection_base import NATIONS, NI, SPK, Baseline, Declared, P

RIDGE_NI = 3.0  # Northern Ireland's mean change, shrunk toward no change
# The typical spread of a declared seat's shares about the fit (the root of
# its squared residuals summed over parties, halved), measured on 2015 (0.055)
# and 2017 (0.048) with every seat declared; the night's own spread is shrunk
# toward it with the weight of NOISE_PRIOR_SEATS declared seats.
NOISE_PRIOR, NOISE_PRIOR_SEATS = 0.051, 50.0


@dataclass
class Stats:
    """What the regression needs from the declared seats; additive, so one seat can be added or taken back."""

    mask: np.ndarray  # (S,) bool: declared
    declared: np.ndarray  # (P,) seats won so far
    xtx: np.ndarray  # (F, F) over declared GB seats without the Speaker
    xty: np.ndarray  # (F, P) the same seats' design times share change
    ni_sum: np.ndarray  # (P,) summed share change over declared NI seats
    ni_n: int
    yty: np.ndarray  # (P,) the same GB seats' summed squared share change, per party


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
        np.zeros(P),
    )


def add_seat(base: Baseline, stats: Stats, i: int, shares: np.ndarray, winner: int, sign: int = 1) -> None:
    """Count seat i's result (shares, winner) into stats in place; sign=-1 takes a superseded result back."""
    stats.mask[i] = sign > 0
    stats.declared[winner] += sign
    change = shares - base.shares[i]
    if base.nation[i] == NI:
        stats.ni_sum += sign * change
        stats.ni_n += sign
    elif not (base.shares[i, SPK] > 0 or shares[SPK] > 0):
        x = base.design[i]
        stats.xtx += sign * np.outer(x, x)
        stats.xty += sign * np.outer(x, change)
        stats.yty += sign * change**2


def stats_of(base: Baseline, d: Declared) -> Stats:
    """Stats of every declared seat at once."""
    diff = d.shares - base.shares
    speaker = (base.shares[:, SPK] > 0) | (d.shares[:, SPK] > 0)
    gb = base.nation != NI
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
        (diff[fit] ** 2).sum(axis=0),
    )


def uniform_change(base: Baseline, d: Declared) -> np.ndarray:
    """(S, P) change per seat: the mean change of the seat's nation."""
    diff = d.shares - base.shares
    gb = d.mask & (base.nation != NI)
    fallback = diff[gb].mean(axis=0) if gb.any() else np.zeros(P)
    change = np.zeros((len(NATIONS), P))
    for n in range(len(NATIONS)):
        rows = d.mask & (base.nation == n)
        change[n] = diff[rows].mean(axis=0) if rows.any() else (0.0 if n == NI else fallback)
    return change[base.nation]


def regression_fit(base: Baseline, stats: Stats) -> tuple[np.ndarray, float]:
    """(S, P) change per seat from the ridge model (GB) and a shrunk mean (NI), and the night's spread."""
    out = np.zeros_like(base.shares)
    gb = base.nation != NI
    spread = 1.0
    n = float(stats.xtx[0, 0])  # the intercept's entry: the number of seats fitted
    if n > 0:
        # One solve gives the coefficients and the ridge fit's hat-matrix trace.
        solved = np.linalg.solve(stats.xtx + np.diag(base.penalty), np.hstack([stats.xty, stats.xtx]))
        beta = solved[:, :P]
        out[gb] = base.design[gb] @ beta
        spread = _spread(stats, beta, n, float(np.trace(solved[:, P:])))
    if stats.ni_n:
        out[~gb] = stats.ni_sum / (stats.ni_n + RIDGE_NI)
    return out, spread


def _spread(stats: Stats, beta: np.ndarray, n: float, df: float) -> float:
    """How far the declared seats scatter about the fit, relative to a typical night (1.0)."""
    # Residual sum of squares from the sums alone; its degrees of freedom are
    # the seats less the ridge fit's effective parameters (df), so the spread
    # is about what an unseen seat would show.
    rss = float(stats.yty.sum() - 2.0 * (beta * stats.xty).sum() + (beta * (stats.xtx @ beta)).sum())
    # Halved: two shares per seat carry most of the residual (its top two).
    per_share = max(rss, 0.0) / (2.0 * max(n - df, 1.0))
    pooled = (NOISE_PRIOR_SEATS * NOISE_PRIOR**2 + n * per_share) / (NOISE_PRIOR_SEATS + n)
    return float(np.sqrt(pooled) / NOISE_PRIOR)
