"""Keep results.projection and results.projection_history current: call refresh_projection after storing a result.

`refresh_projection(conn)` reads the counted election's declared results,
runs pipeline.projection (the `regression` method with its calibrated band)
and writes the row set for the current number of declared seats into
pipeline.projection_history, inside the caller's transaction. It is meant to be
the last thing the storing transaction does: it takes a transaction-level
advisory lock so that concurrent workers compute one declared count after
another, each from a snapshot that includes the other's seat. Running it
again with nothing new stored changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from pipeline import projection as pj
from pipeline.db import sql

_LOCK_KEY = 7_201_912_12  # distinct from schema.py's db-init lock


@dataclass(frozen=True)
class Refresh:
    """What one refresh wrote."""

    election_id: str
    declared_count: int
    lines: list[pj.PartyProjection]


_cache: dict[tuple, pj.Baseline] = {}


def _load_baseline(conn: Connection) -> tuple[str, pj.Baseline] | None:
    """The counted election's id and its baseline, rebuilt only when the seeds or count setting change."""
    fp = conn.execute(sql("queries/projection_baseline_fingerprint")).one_or_none()
    if fp is None:
        return None
    key = tuple(fp)
    if key not in _cache:
        rows = conn.execute(sql("queries/projection_baseline")).all()
        _cache.clear()  # one baseline at a time: the seeds rarely change within a process
        _cache[key] = pj.make_baseline(
            [(r.gss_code, r.region, r.country) for r in rows],
            {r.gss_code: dict(zip(r.parties, r.votes)) for r in rows},
        )
    return fp.counting_election_id, _cache[key]


@functools.cache
def _band() -> pj.Band:
    return pj.load_band(method=pj.REGRESSION, calibrated_on="all")


def _declared(base: pj.Baseline, rows: Sequence) -> pj.Declared:
    mask = np.zeros(len(base.gss_codes), dtype=bool)
    shares = np.zeros_like(base.shares)
    winner = np.full(len(base.gss_codes), -1)
    for r in rows:
        i = base.index.get(r.gss_code)
        if i is None:
            continue  # a seat without a contest row cannot be declared; defensive
        mask[i] = True
        shares[i] = pj.shares_of(dict(_summed(r.parties, r.votes)))
        # The elected candidate's party: a tie decided by lot is already settled there.
        winner[i] = pj.PARTIES.index(r.winner) if r.winner in pj.PARTIES else int(np.argmax(shares[i]))
    return pj.Declared(mask, shares, winner)


def _summed(parties: Sequence[str], votes: Sequence[int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p, v in zip(parties, votes):
        out[p] = out.get(p, 0) + v  # two independents in one seat share the code IND
    return out


def refresh_projection(conn: Connection, method: str = pj.REGRESSION) -> Refresh | None:
    """Recompute the projection for the current declared count in the caller's transaction; None before any result."""
    conn.execute(sql("queries/projection_lock"), {"lock_key": _LOCK_KEY})
    loaded = _load_baseline(conn)
    if loaded is None:
        return None
    election_id, base = loaded
    rows = conn.execute(sql("queries/projection_declared")).all()
    if not rows:
        return None
    declared = _declared(base, rows)
    lines = pj.project(base, declared, _band(), method)
    count = int(declared.mask.sum())
    latest = max(r.declaration_id for r in rows)
    conn.execute(
        sql("queries/upsert_projection"),
        [
            {
                "election_id": election_id,
                "declared_count": count,
                "party_code": x.party,
                "declared_seats": x.declared_seats,
                "projected_seats": x.projected_seats,
                "low": x.low,
                "high": x.high,
                "method": x.method,
                "declaration_id": latest,
            }
            for x in lines
        ],
    )
    conn.execute(
        sql("queries/prune_projection"),
        {"election_id": election_id, "declared_count": count, "parties": [x.party for x in lines]},
    )
    return Refresh(election_id, count, lines)
