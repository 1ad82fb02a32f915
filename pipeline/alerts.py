"""Alerts: deciding what changed in a seat's known outcome and wording it.

The alert table is the record and the outbox. Deciding happens inside the
transaction that stores the declaration (pipeline.store), which only inserts
the alert; delivering it is pipeline.delivery's, a loop of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from pipeline.db import sql
from pipeline.model import AlertKind, AlertSource, Declaration, MessageKind
from pipeline.resolve import Baseline


@dataclass(frozen=True)
class PlannedAlert:
    """An alert decided inside a storing transaction, before it is inserted."""

    kind: AlertKind
    from_party: str | None
    to_party: str | None
    source: AlertSource
    message: str


@dataclass(frozen=True)
class FlipFigures:
    """What a flip alert quotes for the party that won: the Butler swing to it and the swing it needed."""

    swing_pct: float | None  # None from a rush, which has no votes
    swing_needed_pct: float


def flip_figures(
    conn: Connection, gss_code: str, declaration_id: int | None, baseline_election_id: str, holder: str, party: str
) -> FlipFigures:
    """The swing from baseline winner `holder` to `party` in a declaration (None: a call), by the views' formulas."""
    # Read inside the storing transaction: the declaration's candidates are already inserted.
    row = conn.execute(
        sql("queries/store/flip_figures"),
        {
            "gss_code": gss_code,
            "declaration_id": declaration_id,
            "baseline_election_id": baseline_election_id,
            "holder": holder,
            "party": party,
        },
    ).one()
    return FlipFigures(
        None if row.swing_pct is None else float(row.swing_pct),
        float(row.swing_needed_pct),
    )


def decide(
    decl: Declaration,
    seat_name: str,
    base: Baseline | None,
    old_winner: str | None,
    new_winner: str | None,
    first_recount: bool,
    figures: FlipFigures | None = None,
) -> list[PlannedAlert]:
    """The alerts this declaration raises, given what was known before and after it.

    `old_winner` may be the desk's call: the feed's rush or result is then
    compared with it like with an earlier rush. `figures` are the swing
    figures for `new_winner`, needed when it is not the baseline winner.
    """
    alerts: list[PlannedAlert] = []
    if decl.kind == MessageKind.RECOUNT and first_recount:
        held = f"{base.winner} majority {base.majority_pct:.1f}% at the baseline" if base else "no baseline"
        alerts.append(
            PlannedAlert(AlertKind.RECOUNT, None, None, AlertSource.RECOUNT, f"RECOUNT: {seat_name} ({held})")
        )
    source = AlertSource.RESULT if decl.kind == MessageKind.RESULT else AlertSource.RUSH
    return alerts + _changes(
        seat_name, base, old_winner, new_winner, source, f"{source} revision {decl.revision}", figures
    )


def decide_call(
    seat_name: str,
    base: Baseline | None,
    old_winner: str | None,
    new_winner: str | None,
    called_by: str,
    figures: FlipFigures | None = None,
) -> list[PlannedAlert]:
    """The alerts a desk call (new_winner its party) or its withdrawal (new_winner None) raises.

    The same rule as a rush's: a call showing a gain flips, and withdrawing a
    gain call before the feed speaks retracts it.
    """
    what = f"the desk's call by {called_by}" if new_winner is not None else f"the desk's call, withdrawn by {called_by}"
    return _changes(seat_name, base, old_winner, new_winner, AlertSource.DESK, what, figures)


def _changes(
    seat_name: str,
    base: Baseline | None,
    old_winner: str | None,
    new_winner: str | None,
    source: AlertSource,
    what: str,
    figures: FlipFigures | None,
) -> list[PlannedAlert]:
    """The retraction and flip a change of known winner raises, whatever raised it (`what` names it)."""
    alerts: list[PlannedAlert] = []
    if base is None or new_winner == old_winner:
        return alerts
    if old_winner is not None and old_winner != base.winner:
        if new_winner is None:
            tail = f"{what}: no winner known"
        else:
            now = f"{new_winner} GAIN FROM {base.winner}" if new_winner != base.winner else f"{new_winner} HOLD"
            tail = f"{what} shows {now}"
        alerts.append(
            PlannedAlert(
                AlertKind.RETRACTION,
                base.winner,
                old_winner,
                source,
                f"RETRACTION: {seat_name} is not a {old_winner} gain from {base.winner}; {tail}",
            )
        )
    if new_winner is not None and new_winner != base.winner:
        if figures is None:
            raise ValueError(f"a flip to {new_winner} in {seat_name} needs its swing figures")
        swing, needed = figures.swing_pct, figures.swing_needed_pct
        if swing is not None:
            quoted = f"swing {swing:.1f}%, needed {needed:.1f}%"
        elif source == AlertSource.DESK:
            quoted = f"{what}; needed {needed:.1f}%"
        else:
            quoted = f"rush; needed {needed:.1f}%"
        if new_winner != base.runner_up:
            # The views' swing is between the baseline's winner and runner-up;
            # say whose swing this is when a party from further back wins.
            quoted += f"; {new_winner} was not second in {base.label}"
        alerts.append(
            PlannedAlert(
                AlertKind.FLIP,
                base.winner,
                new_winner,
                source,
                f"{new_winner} GAIN FROM {base.winner}: {seat_name} ({quoted})",
            )
        )
    return alerts
