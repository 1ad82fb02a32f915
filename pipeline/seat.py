"""A seat's state on the night, as pipeline.seat_state holds it, and what the store and the desk read from it.

The rule that makes the state (revisions across rush and result, a
correcting rush reopening a declared seat, recount notices, desk calls) is
SQL, once: pipeline.seat_state_at in sql/migrations/0014_revisions.sql. The
live views, the as-of functions and sql/queries/store/refresh_seat_state.sql (which
pipeline.store and pipeline.calls run after writing, with the seat locked)
all read it. This module only interprets a state row: pure, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.model import KnownSource, MessageKind, SeatStatus


@dataclass(frozen=True)
class SeatState:
    """One row of pipeline.seat_state: where the count stands and what is known of the winner."""

    status: SeatStatus = SeatStatus.AWAITING
    result_declaration_id: int | None = None  # the result that is the seat's word (None while a rush corrects it)
    rush_declaration_id: int | None = None  # the highest-revision rush
    recount_declaration_id: int | None = None  # the highest-revision recount notice
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


def took_effect(state: SeatState, kind: MessageKind, declaration_id: int) -> bool:
    """True when the declaration just stored is the seat's word in `state` (its current recount notice for a recount).

    False means it is stale: a higher revision (or a result of the same
    revision, for a rush) was already stored; it is kept as history only.
    """
    if kind == MessageKind.RESULT:
        return state.result_declaration_id == declaration_id
    if kind == MessageKind.RUSH:
        return state.known_source == KnownSource.RUSH and state.rush_declaration_id == declaration_id
    return state.recount_declaration_id == declaration_id


def is_first_recount(state: SeatState, kind: MessageKind) -> bool:
    """True when, before it, the seat had no recount notice (the first one raises an alert)."""
    return kind == MessageKind.RECOUNT and state.recount_declaration_id is None
