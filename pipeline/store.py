"""Publishing one received file in one transaction: raw bytes, declarations, seat state, alerts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import Connection

from pipeline import agency_check
from pipeline.alert_rows import insert_alerts
from pipeline.alerts import PlannedAlert, decide, flip_figures
from pipeline.db import sql
from pipeline.exceptions import RejectedFile
from pipeline.model import (
    Declaration,
    FileKind,
    MessageKind,
    Nominations,
    Outcome,
    ReasonCode,
    StateOfParties,
    StoredResult,
)
from pipeline.resolve import Reference
from pipeline.seat import SeatState, is_first_recount, took_effect


class AlreadyReceived(Exception):  # noqa: N818 - control flow inside this module only
    """Another run recorded this (file name, content) first: roll this transaction back."""


@dataclass
class Received:
    """One file as read from disk."""

    file_name: str
    sha256: str
    size_bytes: int
    body: bytes | None  # None when too large to keep in the database
    stored_path: str | None = None
    message_kind: FileKind | None = None  # what it parsed as (results.files.message_kind); None if unread


@dataclass
class StoreResult:
    """What became of one file."""

    outcome: Outcome
    reason: str | None = None
    reason_code: ReasonCode | None = None  # null exactly when stored
    declaration_ids: list[int] = field(default_factory=list)
    alerts: list[PlannedAlert] = field(default_factory=list)
    unknown_parties: list[str] = field(default_factory=list)
    results: list[StoredResult] = field(default_factory=list)  # results now current for their seat (for the projection)
    reopened: list[str] = field(default_factory=list)  # seats whose result a correcting rush set aside (projection)


def _record(conn: Connection, f: Received, result: StoreResult) -> StoreResult:
    """Insert the receipt last: if another run got there first, undo everything we did."""
    row = conn.execute(
        sql("queries/store/insert_receipt"),
        {
            "file_name": f.file_name,
            "sha256": f.sha256,
            "outcome": result.outcome,
            "reason": result.reason,
            "reason_code": result.reason_code,
            "declaration_ids": result.declaration_ids,
            "message_kind": f.message_kind,
        },
    ).first()
    if row is None:
        raise AlreadyReceived(f.file_name)
    return result


def _keep_bytes(conn: Connection, f: Received) -> None:
    conn.execute(
        sql("queries/store/insert_raw_file"),
        {
            "sha256": f.sha256,
            "size_bytes": f.size_bytes,
            "body": f.body,
            "stored_path": f.stored_path,
            "file_name": f.file_name,
        },
    )


def store_rejected(conn: Connection, f: Received, rejection: RejectedFile) -> StoreResult:
    """Quarantine a file: keep its bytes, the reason and the reason's code."""
    _keep_bytes(conn, f)
    return _record(conn, f, StoreResult(Outcome.QUARANTINED, rejection.reason, rejection.code))


def store_duplicate(conn: Connection, f: Received, first_name: str) -> StoreResult:
    """Record a file whose bytes we already have under another name."""
    return _record(conn, f, StoreResult(Outcome.DUPLICATE, f"same bytes as {first_name}", ReasonCode.DUPLICATE_BYTES))


def store_declarations(conn: Connection, f: Received, decls: list[Declaration], ref: Reference) -> StoreResult:
    """Store validated declarations of one file, update each seat and raise its alerts."""
    _keep_bytes(conn, f)
    result = StoreResult(Outcome.SUPERSEDED)
    stale: list[str] = []
    for decl in decls:
        row = conn.execute(
            sql("queries/store/insert_declaration"),
            {
                "election_id": decl.election_id,
                "gss_code": decl.gss_code,
                "kind": decl.kind,
                "revision": decl.revision,
                "declared_at": decl.declared_at,
                "source_format": decl.source_format,
                "sha256": f.sha256,
                "electorate": decl.electorate,
                "turnout": decl.turnout,
                "valid_votes": decl.valid_votes if decl.kind == MessageKind.RESULT else None,
                "winner_party": decl.winning_party_code,
                "agency": json.dumps(decl.agency),
                "unknown_parties": decl.unknown_parties,
                **_candidate_arrays(decl),
            },
        ).first()
        if row is None:
            stale.append(f"{decl.kind} revision {decl.revision} for {ref.names[decl.gss_code]} is already stored")
            continue
        decl_id = row[0]
        result.declaration_ids.append(decl_id)
        result.unknown_parties.extend(decl.unknown_parties)
        if _advance_seat(conn, decl, decl_id, ref, result):
            result.outcome = Outcome.STORED
        else:
            stale.append(
                f"{decl.kind} revision {decl.revision} for {ref.names[decl.gss_code]} "
                "arrived after a higher revision; kept as history"
            )
    if result.outcome == Outcome.SUPERSEDED:
        result.reason, result.reason_code = "; ".join(stale), ReasonCode.STALE_REVISION
    if result.results:
        # A state of the parties waiting for these seats' results can be checked now.
        agency_check.take_turns(conn)
        result.alerts.extend(agency_check.check_waiting(conn, [r.gss_code for r in result.results]))
    return _record(conn, f, result)


def _candidate_arrays(decl: Declaration) -> dict[str, list]:
    """The declaration's candidates as one array per column (insert_declaration unnests them)."""
    cs = decl.candidates
    return {
        "positions": [c.position for c in cs],
        "names": [c.name for c in cs],
        "party_codes": [c.party_code for c in cs],
        "party_labels": [c.party_label for c in cs],
        "votes": [c.votes for c in cs],
        "elected": [c.elected for c in cs],
    }


def _stored_result(decl: Declaration, decl_id: int) -> StoredResult:
    votes: dict[str, int] = {}
    for c in decl.candidates:
        votes[c.party_code] = votes.get(c.party_code, 0) + (c.votes or 0)
    # who won a result is decided once, by pipeline.resolve
    return StoredResult(decl.gss_code, decl_id, votes, decl.winning_party_code)


def _advance_seat(conn: Connection, decl: Declaration, decl_id: int, ref: Reference, result: StoreResult) -> bool:
    """Bring the seat's state up to this declaration by the one rule; False if it is stale (kept, changes nothing)."""
    key = {"election_id": decl.election_id, "gss_code": decl.gss_code}
    state = SeatState.from_row(conn.execute(sql("queries/store/lock_seat_state"), key).mappings().one())
    new = SeatState.from_row(conn.execute(sql("queries/store/refresh_seat_state"), key).mappings().one())
    if not took_effect(new, decl.kind, decl_id):
        return False
    if new.result_declaration_id != state.result_declaration_id:
        if new.result_declaration_id == decl_id:
            result.results.append(_stored_result(decl, decl_id))
        else:
            result.reopened.append(decl.gss_code)  # a correcting rush: the seat's result counts no more
    known = new.known_winner
    base = ref.baseline.get(decl.gss_code)
    figures = None
    if base is not None and known is not None and known != base.winner:
        figures = flip_figures(conn, decl.gss_code, decl_id, ref.baseline_election_id, base.winner, known)
    first_recount = is_first_recount(state, decl.kind)
    planned = decide(decl, ref.names[decl.gss_code], base, state.known_winner, known, first_recount, figures)
    result.alerts.extend(insert_alerts(conn, key, planned, decl.declared_at, declaration_id=decl_id))
    return True


def store_nominations(conn: Connection, f: Received, nom: Nominations) -> StoreResult:
    """Store one seat's nominations: a higher revision replaces the list; a lower or repeated one is kept, no change."""
    _keep_bytes(conn, f)
    key = {"election_id": nom.election_id, "gss_code": nom.gss_code}
    top = conn.execute(sql("queries/store/max_nomination_revision"), key).scalar_one()
    cs = nom.candidates
    row = conn.execute(
        sql("queries/store/insert_nomination"),
        {
            **key,
            "revision": nom.revision,
            "sha256": f.sha256,
            "electorate": nom.electorate,
            "agency": json.dumps(nom.agency),
            "unknown_parties": nom.unknown_parties,
            "positions": [c.position for c in cs],
            "names": [c.name for c in cs],
            "party_codes": [c.party_code for c in cs],
            "party_labels": [c.party_label for c in cs],
            "party_names": [c.party_name for c in cs],
            "sitting": [c.sitting_member for c in cs],
        },
    ).first()
    result = StoreResult(Outcome.STORED, unknown_parties=list(nom.unknown_parties))
    if row is None:
        result.outcome, result.reason_code = Outcome.SUPERSEDED, ReasonCode.STALE_REVISION
        result.reason = f"nominations revision {nom.revision} for {nom.constituency_name} is already stored"
    elif nom.revision < top:
        result.outcome, result.reason_code = Outcome.SUPERSEDED, ReasonCode.STALE_REVISION
        result.reason = (
            f"nominations revision {nom.revision} for {nom.constituency_name} arrived after revision {top}; "
            "kept as history"
        )
    return _record(conn, f, result)


def store_state_of_parties(conn: Connection, f: Received, sop: StateOfParties) -> StoreResult:
    """Store a state-of-the-parties message; alert once if its seats disagree with ours over the same constituencies."""
    _keep_bytes(conn, f)
    ps = sop.parties
    row = conn.execute(
        sql("queries/store/insert_party_state"),
        {
            "election_id": sop.election_id,
            "number_of_results": sop.number_of_results,
            "total_constituencies": sop.total_constituencies,
            "total_votes": sop.total_votes,
            "sha256": f.sha256,
            "agency": json.dumps(sop.agency),
            "unknown_parties": sop.unknown_parties,
            "positions": [p.position for p in ps],
            "party_codes": [p.party_code for p in ps],
            "party_labels": [p.label for p in ps],
            "party_names": [p.name for p in ps],
            "seats": [p.seats for p in ps],
            "gains": [p.gains for p in ps],
            "losses": [p.losses for p in ps],
            "votes": [p.votes for p in ps],
            "shares": [p.share_pct for p in ps],
            "share_changes": [p.share_change_pct for p in ps],
            "gss_codes": sop.gss_codes,
        },
    ).first()
    if row is None:
        return _record(
            conn,
            f,
            StoreResult(
                Outcome.SUPERSEDED,
                f"the state of the parties after {sop.number_of_results} results is already stored",
                ReasonCode.STALE_REVISION,
            ),
        )
    result = StoreResult(Outcome.STORED, unknown_parties=list(sop.unknown_parties))
    agency_check.take_turns(conn)
    result.alerts.extend(agency_check.check(conn, row[0]))
    return _record(conn, f, result)
