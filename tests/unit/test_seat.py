"""The seat's state transition (pipeline.seat.advance) as a table of cases. No database."""

from __future__ import annotations

import pytest

from pipeline.model import KnownSource, MessageKind, SeatStatus
from pipeline.seat import SeatState, advance, call, feed_has_spoken, is_first_recount, withdraw

RESULT, RUSH, RECOUNT = MessageKind.RESULT, MessageKind.RUSH, MessageKind.RECOUNT
AWAITING = SeatState()
RUSHED = SeatState(SeatStatus.RUSH, rush_declaration_id=1, known_winner="CON", known_source=RUSH)
RECOUNTING = SeatState(SeatStatus.RECOUNT, recount_declaration_id=2)
RUSHED_THEN_RECOUNTING = SeatState(SeatStatus.RECOUNT, rush_declaration_id=1, recount_declaration_id=2,
                                   known_winner="CON", known_source=RUSH)
CALL = KnownSource.CALL
CALLED = SeatState(SeatStatus.CALLED, known_winner="LAB", known_source=CALL)
RECOUNTING_CALLED = SeatState(SeatStatus.CALLED, recount_declaration_id=2, known_winner="LAB", known_source=CALL)
DECLARED = SeatState(SeatStatus.DECLARED, result_declaration_id=3, rush_declaration_id=1,
                     known_winner="CON", known_source=RESULT)

CASES = [
    # (case, state before, message kind, its declaration id, its winner, state after)
    ("a rush on an awaiting seat", AWAITING, RUSH, 1, "CON",
     SeatState(SeatStatus.RUSH, rush_declaration_id=1, known_winner="CON", known_source=RUSH)),
    ("a result on an awaiting seat", AWAITING, RESULT, 3, "LAB",
     SeatState(SeatStatus.DECLARED, result_declaration_id=3, known_winner="LAB", known_source=RESULT)),
    ("a recount on an awaiting seat: no winner known", AWAITING, RECOUNT, 2, None,
     SeatState(SeatStatus.RECOUNT, recount_declaration_id=2)),
    ("a recount after a rush keeps the rush's winner", RUSHED, RECOUNT, 2, None, RUSHED_THEN_RECOUNTING),
    ("a result after a rush and a recount", RUSHED_THEN_RECOUNTING, RESULT, 3, "LAB",
     SeatState(SeatStatus.DECLARED, result_declaration_id=3, rush_declaration_id=1, recount_declaration_id=2,
               known_winner="LAB", known_source=RESULT)),
    ("a rush after a recount", RECOUNTING, RUSH, 1, "CON",
     SeatState(SeatStatus.RUSH, rush_declaration_id=1, recount_declaration_id=2, known_winner="CON",
               known_source=RUSH)),
    ("a corrected rush replaces the flashed winner", RUSHED, RUSH, 4, "LAB",
     SeatState(SeatStatus.RUSH, rush_declaration_id=4, known_winner="LAB", known_source=RUSH)),
    ("a late rush after the result changes nothing known", DECLARED, RUSH, 4, "LAB",
     SeatState(SeatStatus.DECLARED, result_declaration_id=3, rush_declaration_id=4, known_winner="CON",
               known_source=RESULT)),
    ("a recount after the result: declared stays declared", DECLARED, RECOUNT, 5, None,
     SeatState(SeatStatus.DECLARED, result_declaration_id=3, rush_declaration_id=1, recount_declaration_id=5,
               known_winner="CON", known_source=RESULT)),
    ("a corrected result replaces the winner", DECLARED, RESULT, 6, "LAB",
     SeatState(SeatStatus.DECLARED, result_declaration_id=6, rush_declaration_id=1, known_winner="LAB",
               known_source=RESULT)),
    # a desk call is one more source of the known winner, below the feed's rush and result
    ("a rush after a call: the feed decides", CALLED, RUSH, 1, "CON",
     SeatState(SeatStatus.RUSH, rush_declaration_id=1, known_winner="CON", known_source=RUSH)),
    ("a result after a call: the feed decides", CALLED, RESULT, 3, "LAB",
     SeatState(SeatStatus.DECLARED, result_declaration_id=3, known_winner="LAB", known_source=RESULT)),
    ("a recount after a call keeps the call's winner", CALLED, RECOUNT, 2, None,
     SeatState(SeatStatus.RECOUNT, recount_declaration_id=2, known_winner="LAB", known_source=CALL)),
]


@pytest.mark.unit
@pytest.mark.parametrize(("case", "before", "kind", "declaration_id", "winner", "after"), CASES,
                         ids=[c[0] for c in CASES])
def test_advance(case, before, kind, declaration_id, winner, after):
    assert advance(before, kind, declaration_id, winner) == after


@pytest.mark.unit
@pytest.mark.parametrize(("state", "kind", "first"), [
    (AWAITING, RECOUNT, True), (RUSHED, RECOUNT, True), (RECOUNTING, RECOUNT, False),
    (AWAITING, RUSH, False), (DECLARED, RESULT, False),
])
def test_only_the_first_recount_notice_is_news(state, kind, first):
    assert is_first_recount(state, kind) is first


@pytest.mark.unit
def test_a_row_from_the_database_becomes_a_typed_state():
    row = {"status": "rush", "result_declaration_id": None, "rush_declaration_id": 1,
           "recount_declaration_id": None, "known_winner": "CON", "known_source": "rush"}
    state = SeatState.from_row(row)
    assert state == RUSHED and isinstance(state.status, SeatStatus) and isinstance(state.known_source, KnownSource)


CALL_CASES = [
    # (case, state before, party called or None to withdraw, state after)
    ("a call on an awaiting seat counts like a rush", AWAITING, "LAB", CALLED),
    ("a call after a recount notice", RECOUNTING, "LAB", RECOUNTING_CALLED),
    ("withdrawing the call: awaiting again", CALLED, None, AWAITING),
    ("withdrawing after a recount notice: back to recount", RECOUNTING_CALLED, None, RECOUNTING),
    ("withdrawing once the feed has spoken changes nothing", RUSHED, None, RUSHED),
]


@pytest.mark.unit
@pytest.mark.parametrize(("case", "before", "party", "after"), CALL_CASES, ids=[c[0] for c in CALL_CASES])
def test_call_and_withdraw(case, before, party, after):
    assert (call(before, party) if party else withdraw(before)) == after


@pytest.mark.unit
@pytest.mark.parametrize("state", [RUSHED, DECLARED, RUSHED_THEN_RECOUNTING])
def test_no_call_once_the_feed_has_spoken(state):
    assert feed_has_spoken(state)
    with pytest.raises(ValueError, match="rush or result"):
        call(state, "LAB")
