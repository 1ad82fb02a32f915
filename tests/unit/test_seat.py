"""Reading a seat's state row (pipeline.seat): whether a stored declaration took effect, first recounts. No database.

The rule that makes the state is SQL (pipeline.seat_state_at); tests/test_revisions.py
and tests/test_calls.py check it against a real database.
"""

from __future__ import annotations

import pytest

from pipeline.model import KnownSource, MessageKind, SeatStatus
from pipeline.seat import SeatState, is_first_recount, took_effect

RESULT, RUSH, RECOUNT = MessageKind.RESULT, MessageKind.RUSH, MessageKind.RECOUNT
AWAITING = SeatState()
RUSHED = SeatState(SeatStatus.RUSH, rush_declaration_id=1, known_winner="CON", known_source=RUSH)
RECOUNTING = SeatState(SeatStatus.RECOUNT, recount_declaration_id=2)
RUSHED_THEN_RECOUNTING = SeatState(
    SeatStatus.RECOUNT, rush_declaration_id=1, recount_declaration_id=2, known_winner="CON", known_source=RUSH
)
DECLARED = SeatState(
    SeatStatus.DECLARED, result_declaration_id=3, rush_declaration_id=1, known_winner="CON", known_source=RESULT
)
# rush_2 (id 4) above result_1 (id 3): the seat reopened, no result counts
REOPENED = SeatState(SeatStatus.RUSH, rush_declaration_id=4, known_winner="LAB", known_source=RUSH)

TOOK_EFFECT = [
    # (case, state after storing, kind stored, its id, took effect)
    ("the first rush", RUSHED, RUSH, 1, True),
    ("a result", DECLARED, RESULT, 3, True),
    ("a rush of no higher revision than the result", DECLARED, RUSH, 5, False),
    ("a rush the result already beat (it is still the top rush)", DECLARED, RUSH, 1, False),
    ("a correcting rush above the result", REOPENED, RUSH, 4, True),
    ("a result below the correcting rush", REOPENED, RESULT, 3, False),
    ("a lower rush below the top rush", RUSHED, RUSH, 7, False),
    ("a recount notice", RUSHED_THEN_RECOUNTING, RECOUNT, 2, True),
    ("a lower recount notice", RUSHED_THEN_RECOUNTING, RECOUNT, 8, False),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("case", "state", "kind", "declaration_id", "expected"), TOOK_EFFECT, ids=[c[0] for c in TOOK_EFFECT]
)
def test_took_effect(case, state, kind, declaration_id, expected):
    assert took_effect(state, kind, declaration_id) is expected


@pytest.mark.unit
@pytest.mark.parametrize(
    ("state", "kind", "first"),
    [
        (AWAITING, RECOUNT, True),
        (RUSHED, RECOUNT, True),
        (RECOUNTING, RECOUNT, False),
        (AWAITING, RUSH, False),
        (DECLARED, RESULT, False),
    ],
)
def test_only_the_first_recount_notice_is_news(state, kind, first):
    assert is_first_recount(state, kind) is first


@pytest.mark.unit
def test_a_row_from_the_database_becomes_a_typed_state():
    row = {
        "status": "rush",
        "result_declaration_id": None,
        "rush_declaration_id": 1,
        "recount_declaration_id": None,
        "known_winner": "CON",
        "known_source": "rush",
    }
    state = SeatState.from_row(row)
    assert state == RUSHED and isinstance(state.status, SeatStatus) and isinstance(state.known_source, KnownSource)
