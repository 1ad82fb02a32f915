"""Keep results.projection and results.projection_history current: call refresh_projection after storing a result.

`refresh_projection(conn, gss_codes)` is meant to be the last statement of
the transaction that stored results for those seats. It takes a
transaction-level advisory lock (so concurrent workers compute one declared
count after another, each from a snapshot that includes the other's seat),
adds the seats' new results to the running sums in pipeline.projection_state
(taking a superseded result back out first), runs pipeline.projection's
`regression` method with its calibrated band and writes the row set for the
current number of declared seats into pipeline.projection_history. Its cost
does not grow with the night: it reads only the seats it is given and one
state row. Without gss_codes it checks every declared seat's result id (cheap,
but linear); with no state, or seeds changed since, it rebuilds the sums from
every declared seat. Running it again with nothing new stored changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from pipeline import projection as pj
from pipeline.db import sql

_LOCK_KEY = 720_191_212  # distinct from schema.py's db-init lock


@dataclass(frozen=True)
class Refresh:
    """What one refresh wrote."""

    election_id: str
    declared_count: int
    lines: list[pj.PartyProjection]
    seats_counted: int  # seats whose result was (re)counted into the sums by this refresh


_baselines: dict[str, pj.Baseline] = {}


def _baseline(conn: Connection, key: str) -> pj.Baseline:
    """The counted election's baseline, read once per process per seeds load."""
    if key not in _baselines:
        rows = conn.execute(sql("queries/projection_baseline")).all()
        _baselines.clear()
        _baselines[key] = pj.make_baseline(
            [(r.gss_code, r.region, r.country) for r in rows],
            {r.gss_code: dict(zip(r.parties, r.votes)) for r in rows},
        )
    return _baselines[key]


@functools.cache
def _band() -> pj.Band:
    return pj.load_band(method=pj.REGRESSION, calibrated_on="all")


def _results(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[np.ndarray, int]]:
    """declaration_id -> (shares, winner index) for result declarations."""
    votes: dict[int, dict[str, int]] = {}
    elected: dict[int, str] = {}
    for r in conn.execute(sql("queries/projection_candidates"), {"ids": list(ids)}):
        seat = votes.setdefault(r.declaration_id, {})
        seat[r.party_code] = seat.get(r.party_code, 0) + r.votes  # two independents share the code IND
        if r.elected and r.declaration_id not in elected:
            elected[r.declaration_id] = r.party_code
    out = {}
    for decl, seat in votes.items():
        shares = pj.shares_of(seat)
        # The elected candidate's party: a tie decided by lot is settled there, not by the votes.
        winner = elected.get(decl)
        out[decl] = (shares, pj.PARTIES.index(winner) if winner in pj.PARTIES else int(np.argmax(shares)))
    return out


def _state(base: pj.Baseline, row) -> tuple[pj.Stats, np.ndarray]:
    counted = np.array(row.seat_declaration, dtype=np.int64)
    f = base.design.shape[1]
    stats = pj.Stats(counted > 0, np.array(row.declared, dtype=int), np.array(row.xtx).reshape(f, f),
                     np.array(row.xty).reshape(f, pj.P), np.array(row.ni_sum), row.ni_n)
    return stats, counted


def refresh_projection(conn: Connection, gss_codes: Sequence[str] | None = None) -> Refresh | None:
    """Bring the projection up to date in the caller's transaction (gss_codes: the seats just stored); None before any result."""
    conn.execute(sql("queries/projection_lock"), {"lock_key": _LOCK_KEY})
    keyed = conn.execute(sql("queries/projection_key")).one_or_none()
    if keyed is None:
        return None
    election_id, key = keyed.counting_election_id, keyed.baseline_key
    base = _baseline(conn, key)
    row = conn.execute(sql("queries/projection_state"), {"election_id": election_id}).one_or_none()
    rebuild = row is None or row.baseline_key != key
    codes = None if rebuild or gss_codes is None else list(gss_codes)
    current = conn.execute(sql("queries/projection_current"), {"election_id": election_id, "codes": codes}).all()
    if rebuild:
        stats, counted = pj.empty_stats(base), np.zeros(len(base.gss_codes), dtype=np.int64)
    else:
        stats, counted = _state(base, row)
    changed = [(base.index[r.gss_code], r.result_declaration_id) for r in current
               if r.gss_code in base.index and counted[base.index[r.gss_code]] != r.result_declaration_id]
    if changed:
        results = _results(conn, [d for _, d in changed] + [int(counted[i]) for i, _ in changed if counted[i]])
        for i, decl in changed:
            if counted[i]:
                old_shares, old_winner = results[int(counted[i])]
                pj.add_seat(base, stats, i, old_shares, old_winner, sign=-1)
            shares, winner = results[decl]
            pj.add_seat(base, stats, i, shares, winner)
            counted[i] = decl
    if not stats.mask.any():
        return None
    latest = int(counted.max())
    if changed or rebuild:
        conn.execute(sql("queries/upsert_projection_state"), {
            "election_id": election_id, "baseline_key": key, "last_declaration_id": latest,
            "seat_declaration": counted.tolist(), "declared": stats.declared.tolist(),
            "xtx": stats.xtx.ravel().tolist(), "xty": stats.xty.ravel().tolist(),
            "ni_sum": stats.ni_sum.tolist(), "ni_n": stats.ni_n,
        })
    lines = pj.project_stats(base, stats, _band())
    count = int(stats.mask.sum())
    conn.execute(sql("queries/upsert_projection"), [
        {"election_id": election_id, "declared_count": count, "party_code": x.party,
         "declared_seats": x.declared_seats, "projected_seats": x.projected_seats, "low": x.low, "high": x.high,
         "method": x.method, "declaration_id": latest}
        for x in lines
    ])
    conn.execute(sql("queries/prune_projection"),
                 {"election_id": election_id, "declared_count": count, "parties": [x.party for x in lines]})
    return Refresh(election_id, count, lines, len(changed))
