"""Storing one prepared file in its own transaction; a value the database refuses quarantines the file instead."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import DataError

from pipeline.exceptions import UnstorableValue
from pipeline.ingest.prepare import Pending
from pipeline.model import Nominations, Outcome, StateOfParties
from pipeline.projection_store import refresh_projection
from pipeline.resolve import Reference
from pipeline.store import (
    AlreadyReceived,
    StoreResult,
    store_declarations,
    store_duplicate,
    store_nominations,
    store_rejected,
    store_state_of_parties,
)


def store_one(conn: Connection, p: Pending, ref: Reference) -> StoreResult:
    """Store one prepared file in its own transaction on `conn` (kept open across files: no pool check-out each)."""
    try:
        with conn.begin():
            return _store(conn, p, ref)
    except AlreadyReceived:
        return StoreResult(Outcome.ALREADY, "recorded by another run")
    except DataError as exc:
        # A value the database cannot hold (an integer beyond 32 bits, a NUL in
        # text): the file is bad, not the night. Its transaction rolled back;
        # quarantine it in a fresh one.
        if p.rejection is not None or p.duplicate_of:
            raise
        diag = getattr(exc.orig, "diag", None)
        detail = (getattr(diag, "message_primary", None) or str(exc.orig)).strip()
        try:
            with conn.begin():
                rejection = UnstorableValue(f"the database cannot store a value in this file: {detail}")
                return store_rejected(conn, p.received, rejection)
        except AlreadyReceived:
            return StoreResult(Outcome.ALREADY, "recorded by another run")


def _store(conn: Connection, p: Pending, ref: Reference) -> StoreResult:
    """The file's rows by what it turned out to be: a copy, a refusal, nominations, a state of the parties, results."""
    if p.duplicate_of:
        return store_duplicate(conn, p.received, p.duplicate_of)
    if p.rejection is not None:
        return store_rejected(conn, p.received, p.rejection)
    first = p.declarations[0] if p.declarations else None
    if isinstance(first, Nominations):
        return store_nominations(conn, p.received, first)
    if isinstance(first, StateOfParties):
        return store_state_of_parties(conn, p.received, first)
    result = store_declarations(conn, p.received, p.declarations, ref)
    if result.results or result.reopened:
        # After the receipt row (so two runs of one file cannot deadlock), in the same transaction.
        refresh_projection(conn, stored=result.results, reopened=result.reopened)
    return result
