"""A seat's state on the night and how one new current declaration moves it: pure, no database.

pipeline.store reads the seat's row (locked), calls `advance` and writes the
result back; pipeline.calls does the same with `call` and `withdraw` for the
desk's calls. The rules live here so they can be tested on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pipeline.model import KnownSource, MessageKind, SeatStatus


@dataclass(frozen=True)
class SeatState:
    """One row of pipeline.seat_state: where the count stands and what is known of the winner."""

    status: SeatStatus = SeatStatus.AWAITING
    result_declaration_id: int | None = None
    rush_declaration_id: int | None = None
    recount_declaration_id: int | None = None
    known_winner: str | None = None
    known_source: KnownSource | None = None  # result, rush or call: where known_winner comes from

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SeatState:
        """The state from a pipeline.seat_state row (its text columns as enums)."""
        source = row["known_source"]
        return cls(
            status=SeatStatus(row["status"]),
            result_declaration_id=row["result_declaration_id"],
            rush_declaration_id=row["rush_declaration_id"],
            recount_declaration_id=row["recount_declaration_id"],
            known_winner=row["known_winner"],
            known_source=None if source is None else KnownSource(source),
        )


def advance(state: SeatState, kind: MessageKind, declaration_id: int, winner: str | None) -> SeatState:
    """The seat once this declaration (the newest of its kind) is current.

    A result declares the seat for good; a rush or recount moves an undeclared
    seat to that status. The known winner is the current result's, else the
    current rush's, else the desk's current call; a recount notice names no winner.
    """
    new = replace(state, **{f"{kind}_declaration_id": declaration_id})
    if kind == MessageKind.RESULT or state.status == SeatStatus.DECLARED:
        status = SeatStatus.DECLARED
    else:
        status = SeatStatus(kind)
    if kind == MessageKind.RESULT:
        known, source = winner, KnownSource.RESULT
    elif new.result_declaration_id is not None:
        # known_winner is the current result's: only a result changes it once there is one
        known, source = state.known_winner, KnownSource.RESULT
    elif kind == MessageKind.RUSH:
        # the feed decides from here on: a desk call becomes history
        known, source = winner, KnownSource.RUSH
    elif new.rush_declaration_id is not None:
        known, source = state.known_winner, KnownSource.RUSH
    elif state.known_source == KnownSource.CALL:
        known, source = state.known_winner, KnownSource.CALL  # a recount notice keeps the desk's call
    else:
        known, source = None, None
    return replace(new, status=status, known_winner=known, known_source=source)


def is_first_recount(state: SeatState, kind: MessageKind) -> bool:
    """True when this is the seat's first recount notice (the one that raises an alert)."""
    return kind == MessageKind.RECOUNT and state.recount_declaration_id is None


def feed_has_spoken(state: SeatState) -> bool:
    """True once a rush or result is stored for the seat: the feed decides, a desk call is history."""
    return state.result_declaration_id is not None or state.rush_declaration_id is not None


def call(state: SeatState, party: str) -> SeatState:
    """The seat once the desk calls it for `party`: counted like a rush until the feed speaks."""
    if feed_has_spoken(state):
        raise ValueError("a seat with a rush or result stored cannot be called")
    return replace(state, status=SeatStatus.CALLED, known_winner=party, known_source=KnownSource.CALL)


def withdraw(state: SeatState) -> SeatState:
    """The seat once the desk withdraws its call: what the feed has said, if anything (a recount notice)."""
    if state.known_source != KnownSource.CALL:
        return state  # the feed has spoken since: the call was already history
    status = SeatStatus.RECOUNT if state.recount_declaration_id is not None else SeatStatus.AWAITING
    return replace(state, status=status, known_winner=None, known_source=None)
