"""The vocabulary in pipeline.model is the one the database enforces: enums equal the `check` constraints."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from pipeline import exceptions
from pipeline.model import (
    AlertKind,
    AlertSource,
    EventKind,
    FeedFolder,
    FileKind,
    KnownSource,
    MessageKind,
    Outcome,
    ReasonCode,
    ReceiverKind,
    SeatStatus,
    SourceFormat,
)

# (table, column) in schema `pipeline` -> the values pipeline.model allows there.
VOCABULARY: dict[tuple[str, str], set[str]] = {
    ("declaration", "kind"): set(MessageKind),
    ("declaration", "source_format"): set(SourceFormat),
    ("receipt", "outcome"): set(Outcome.recorded()),
    ("receipt", "reason_code"): set(ReasonCode),
    ("receipt", "message_kind"): set(FileKind),
    ("seat_state", "status"): set(SeatStatus),
    ("seat_state", "known_source"): set(KnownSource),
    ("alert", "kind"): set(AlertKind),
    ("alert", "source"): set(AlertSource),
    ("event", "kind"): set(EventKind),
    ("alert_delivery", "receiver"): set(ReceiverKind),
    ("fetched_file", "folder"): set(FeedFolder),
}

# How Postgres prints `col in ('a', 'b')` back: ((col = ANY (ARRAY['a'::text, 'b'::text])))
_IN_LIST = re.compile(r"\(\(?(\w+) = ANY \(ARRAY\[(.*?)\]\)\)")


def _enumerated_checks(engine) -> dict[tuple[str, str], set[str]]:
    """Every `column in (literal, ...)` check of a pipeline table, as read from pg_constraint."""
    query = text(
        "select c.relname, pg_get_constraintdef(k.oid) from pg_constraint as k "
        "join pg_class as c on c.oid = k.conrelid join pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = 'pipeline' and k.contype = 'c'"
    )
    found: dict[tuple[str, str], set[str]] = {}
    with engine.connect() as conn:
        for table, definition in conn.execute(query):
            for column, values in _IN_LIST.findall(definition):
                found[(table, column)] = set(re.findall(r"'([^']*)'::text", values))
    return found


@pytest.mark.integration
def test_enums_equal_the_check_constraints(engine):
    # Both ways: a constraint no enum describes is a vocabulary the code spells by hand.
    assert _enumerated_checks(engine) == VOCABULARY


@pytest.mark.unit
def test_every_rejection_has_its_own_reason_code():
    rejections = [
        cls
        for cls in vars(exceptions).values()
        if isinstance(cls, type) and issubclass(cls, exceptions.RejectedFile) and cls is not exceptions.RejectedFile
    ]
    codes = [cls.code for cls in rejections]
    assert len(codes) == len(set(codes)), "two rejections share a code"
    not_quarantine = {ReasonCode.DUPLICATE_BYTES, ReasonCode.STALE_REVISION}
    assert set(codes) == set(ReasonCode) - not_quarantine
