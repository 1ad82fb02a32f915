"""Keep results.projection and results.projection_history current: call refresh_projection after storing a result.

`refresh_projection(conn, gss_codes)` is meant to be the last call in the
transaction that stored results for those seats (after the receipt row: a
transaction holding the projection lock must not then wait on another's
receipt), at the default READ COMMITTED isolation. It takes a
transaction-level advisory lock (so concurrent workers compute one declared
count after another, each from a snapshot that includes the other's seat),
adds the seats' new results to the running sums in pipeline.projection_state
(taking a superseded result back out first, and a result a correcting rush set
aside out until the seat's new result), runs pipeline.projection's
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
from sqlalchemy import Connection, Row

from pipeline import projection as pj
from pipeline.db import sql
from pipeline.model import StoredResult

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
        rows = conn.execute(sql("queries/projection/baseline")).all()
        _baselines.clear()
        _baselines[key] = pj.make_baseline(
            [(r.gss_code, r.region, r.country) for r in rows],
            {r.gss_code: dict(zip(r.parties, r.votes, strict=True)) for r in rows},
        )
    return _baselines[key]


@functools.cache
def _band() -> pj.Band:
    return pj.load_band(method=pj.REGRESSION, calibrated_on="all")


def _counted(votes: dict[str, int], elected: str | None) -> tuple[np.ndarray, int]:
    shares = pj.shares_of(votes)
    # The elected candidate's party: a tie decided by lot is settled there, not by the votes.
    return shares, pj.PARTIES.index(elected) if elected in pj.PARTIES else int(np.argmax(shares))


def _parse(rows: Sequence[Row]) -> dict[int, tuple[np.ndarray, int]]:
    """declaration_id -> (shares, winner index) from rows (declaration_id, party_code, votes, winner_party)."""
    votes: dict[int, dict[str, int]] = {}
    elected: dict[int, str] = {}
    for r in rows:
        seat = votes.setdefault(r.declaration_id, {})
        seat[r.party_code] = seat.get(r.party_code, 0) + r.votes  # two independents share the code IND
        elected[r.declaration_id] = r.winner_party  # who won is decided once, by pipeline.resolve
    return {decl: _counted(seat, elected.get(decl)) for decl, seat in votes.items()}


def _state(base: pj.Baseline, row: Row) -> tuple[pj.Stats, np.ndarray]:
    f = base.design.shape[1]
    counted = np.frombuffer(row.seat_declaration, dtype="<i8").copy()
    stats = pj.Stats(
        counted > 0,
        np.frombuffer(row.declared, dtype="<i8").astype(int),
        np.frombuffer(row.xtx, dtype="<f8").reshape(f, f).copy(),
        np.frombuffer(row.xty, dtype="<f8").reshape(f, pj.P).copy(),
        np.frombuffer(row.ni_sum, dtype="<f8").copy(),
        row.ni_n,
        np.frombuffer(row.yty, dtype="<f8").copy(),
    )
    return stats, counted


# projection/write.sql's array parameter -> the PartyProjection field it holds, one element per line.
_LINE_COLUMNS = {
    "parties": "party",
    "declared_seats": "declared_seats",
    "projected_seats": "projected_seats",
    "low": "low",
    "high": "high",
}


def _columns(lines: Sequence[pj.PartyProjection]) -> dict[str, list]:
    """The lines as one array per column, for unnest in projection/write.sql."""
    return {name: [getattr(x, field) for x in lines] for name, field in _LINE_COLUMNS.items()}


def _buffer(values: np.ndarray, dtype: str) -> bytes:
    return np.ascontiguousarray(values, dtype=dtype).tobytes()


def refresh_projection(
    conn: Connection,
    gss_codes: Sequence[str] | None = None,
    *,
    stored: Sequence[StoredResult] = (),
    reopened: Sequence[str] = (),
) -> Refresh | None:
    """Bring the projection up to date in the caller's transaction; None before any result.

    gss_codes (or stored): the seats just stored.

    `stored` carries the results themselves (the ingest has them in hand), so
    counting them reads nothing more; a result it supersedes is read back.
    `reopened` names seats whose result a correcting rush set aside: their
    result is taken out of the sums until a new result is stored.
    """
    conn.execute(sql("queries/projection/lock"), {"lock_key": _LOCK_KEY})
    read = conn.execute(sql("queries/projection/read")).one_or_none()
    if read is None:
        return None
    election_id, key = read.counting_election_id, read.baseline_key
    base = _baseline(conn, key)
    rebuild = read.state_key != key  # also when there is no state yet
    if rebuild:
        stats, counted = pj.empty_stats(base), np.zeros(len(base.gss_codes), dtype=np.int64)
    else:
        stats, counted = _state(base, read)
    if (stored or reopened) and not rebuild:
        current = {**{g: 0 for g in reopened}, **{r.gss_code: r.declaration_id for r in stored}}
        results = {r.declaration_id: _counted(r.votes, r.elected) for r in stored}
    elif rebuild or gss_codes is None:
        # Every declared seat's current result id: cheap, but it grows with the night.
        current = {
            r.gss_code: r.result_declaration_id
            for r in conn.execute(sql("queries/projection/current"), {"election_id": election_id})
        }
        # a seat counted before that has no current result now was reopened by a correcting rush
        current.update({g: 0 for g in base.gss_codes if counted[base.index[g]] and g not in current})
        results = None
    else:
        # Only the seats just stored, with all their result revisions: constant cost.
        rows = conn.execute(
            sql("queries/projection/seat_results"), {"election_id": election_id, "codes": list(gss_codes)}
        ).all()
        current = {**{g: 0 for g in gss_codes}, **{r.gss_code: r.current_id for r in rows}}
        results = _parse(rows)
    changed = [
        (base.index[g], decl) for g, decl in current.items() if g in base.index and counted[base.index[g]] != decl
    ]
    if changed:
        ids = [d for _, d in changed if d] + [int(counted[i]) for i, _ in changed if counted[i]]
        missing = [d for d in ids if results is None or d not in results]
        if missing:  # every declared seat's on a rebuild, else only a superseded result's
            results = {
                **(results or {}),
                **_parse(conn.execute(sql("queries/projection/candidates"), {"ids": missing})),
            }
    for i, decl in changed:
        if counted[i]:
            old_shares, old_winner = results[int(counted[i])]
            pj.add_seat(base, stats, i, old_shares, old_winner, sign=-1)
        if decl:  # 0: reopened, nothing counts until its new result
            shares, winner = results[decl]
            pj.add_seat(base, stats, i, shares, winner)
        counted[i] = decl
    if not stats.mask.any():
        if changed:  # the only declared seat was reopened: nothing to project until a result counts again
            conn.execute(sql("queries/projection/clear"), {"election_id": election_id})
        return None
    # A party that cannot win a seat even at the top of its band (0/0/0/0) says nothing: no row for it.
    lines = [x for x in pj.project_stats(base, stats, _band()) if x.high > 0]
    conn.execute(
        sql("queries/projection/write"),
        {
            "election_id": election_id,
            "baseline_key": key,
            "declaration_id": int(counted.max()),
            "write_state": bool(changed or rebuild),
            "seat_declaration": _buffer(counted, "<i8"),
            "declared": _buffer(stats.declared, "<i8"),
            "xtx": _buffer(stats.xtx, "<f8"),
            "xty": _buffer(stats.xty, "<f8"),
            "ni_sum": _buffer(stats.ni_sum, "<f8"),
            "ni_n": stats.ni_n,
            "yty": _buffer(stats.yty, "<f8"),
            "declared_count": int(stats.mask.sum()),
            "method": pj.REGRESSION,
            **_columns(lines),
        },
    )
    return Refresh(election_id, int(stats.mask.sum()), lines, len(changed))
