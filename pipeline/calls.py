"""The results desk's own calls of seats (`resultsnight call`): recorded, audited, alerted once.

A call counts like a rush while no rush or result is stored for the seat;
once the feed speaks it decides and the call is history (the one rule:
pipeline.seat_state_at, sql/migrations/0014_revisions.sql). Each call or
withdrawal is one transaction that locks the seat's state row with the same
statement as pipeline.store, so a call and a declaration of the same seat
never interleave, and a refusal leaves nothing behind.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from pipeline.alert_rows import insert_alerts
from pipeline.alerts import PlannedAlert, decide_call, flip_figures
from pipeline.db import sql
from pipeline.exceptions import CallRefused
from pipeline.names import fold
from pipeline.resolve import Reference, load_reference
from pipeline.seat import SeatState


@dataclass
class CallResult:
    """What a call or withdrawal did: whether anything changed, a sentence, the alerts raised."""

    changed: bool
    message: str
    gss_code: str
    call_id: int | None = None
    alerts: list[PlannedAlert] = field(default_factory=list)


def default_caller() -> str:
    """Who is calling when --by is not given: the OS user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def find_seat(ref: Reference, seat: str) -> str:
    """The GSS code of a seat given by GSS code or by name, matched as the feed's names are."""
    text = seat.strip()
    if text.upper() in ref.names:
        return text.upper()
    gss = ref.by_key.get(fold(text))
    if gss is None:
        raise CallRefused(f"no constituency of {ref.counting_election_id} matches {seat!r} (GSS code or name)")
    return gss


def find_party(ref: Reference, party: str) -> str:
    """The canonical party code for a code or any alias in seeds/party_aliases.csv."""
    code = ref.party(party)
    if code is None:
        raise CallRefused(f"no party matches {party!r}: give a code such as CON, LAB, LD, SNP or a known alias")
    return code


def _lock_seat(conn: Connection, key: dict) -> SeatState:
    return SeatState.from_row(conn.execute(sql("queries/store/lock_seat_state"), key).mappings().one())


def _refresh_seat(conn: Connection, key: dict) -> SeatState:
    """The locked seat's state once the call (or its withdrawal) is written, by the one rule."""
    return SeatState.from_row(conn.execute(sql("queries/store/refresh_seat_state"), key).mappings().one())


def make_call(engine: Engine, seat: str, party: str, note: str | None = None, by: str | None = None) -> CallResult:
    """Record the desk's call of `seat` for `party`; raise CallRefused (nothing written) when it cannot stand."""
    by = by or default_caller()
    with engine.begin() as conn:
        ref = load_reference(conn)
        gss, code = find_seat(ref, seat), find_party(ref, party)
        name = ref.names[gss]
        key = {"election_id": ref.counting_election_id, "gss_code": gss}
        state = _lock_seat(conn, key)
        if state.result_declaration_id is not None:
            raise CallRefused(
                f"{name} is already declared by a result ({state.known_winner}): a desk call cannot change it"
            )
        if state.rush_declaration_id is not None:
            raise CallRefused(
                f"{name} already has a rush ({state.known_winner}) stored: the feed's rush decides, not a desk call"
            )
        current = conn.execute(sql("queries/calls/current_call"), key).mappings().first()
        if current is not None:
            if current["party"] == code:
                return CallResult(
                    False,
                    f"{name} is already called for {code} (by {current['called_by']} at "
                    f"{current['called_at']:%H:%M:%S}): nothing changed",
                    gss,
                    current["call_id"],
                )
            raise CallRefused(
                f"{name} is already called for {current['party']} by {current['called_by']}: "
                f"withdraw that call first (resultsnight call {gss} --withdraw)"
            )
        row = conn.execute(
            sql("queries/calls/insert_call"),
            {**key, "party": code, "note": note, "called_by": by},
        ).one()
        new = _refresh_seat(conn, key)
        base = ref.baseline.get(gss)
        figures = None
        if base is not None and code != base.winner:
            figures = flip_figures(conn, gss, None, ref.baseline_election_id, base.winner, code)
        planned = decide_call(name, base, state.known_winner, new.known_winner, by, figures)
        alerts = insert_alerts(conn, key, planned, row.called_at, call_id=row.call_id)
    outcome = "gain" if base is not None and code != base.winner else "hold" if base is not None else "no baseline"
    return CallResult(True, f"called {name} for {code} ({outcome}) by {by}", gss, row.call_id, alerts)


def withdraw_call(engine: Engine, seat: str, by: str | None = None) -> CallResult:
    """Withdraw the desk's current call of `seat`; raise CallRefused when there is none."""
    by = by or default_caller()
    with engine.begin() as conn:
        ref = load_reference(conn)
        gss = find_seat(ref, seat)
        name = ref.names[gss]
        key = {"election_id": ref.counting_election_id, "gss_code": gss}
        state = _lock_seat(conn, key)
        current = conn.execute(sql("queries/calls/current_call"), key).mappings().first()
        if current is None:
            raise CallRefused(f"{name} has no current desk call to withdraw")
        at = conn.execute(sql("queries/calls/withdraw_call"), {"call_id": current["call_id"]}).scalar_one()
        new = _refresh_seat(conn, key)
        if new == state:
            # The feed has spoken since the call: it decides; the withdrawal is only recorded.
            return CallResult(
                True,
                f"withdrew the call of {name} for {current['party']}; the feed had already "
                f"decided ({state.known_winner}), so nothing else changed",
                gss,
                current["call_id"],
            )
        planned = decide_call(name, ref.baseline.get(gss), state.known_winner, None, by)
        alerts = insert_alerts(conn, key, planned, at, call_id=current["call_id"])
    return CallResult(True, f"withdrew the call of {name} for {current['party']}", gss, current["call_id"], alerts)
