"""`resultsnight ingest --dry-run`: what each file would become, with nothing stored or moved.

A newsroom points it at the agency's TEST folder before the night: every
file is read, parsed, admitted (feed mode and election), resolved against
the seeds and validated by great-expectations exactly as the ingest does,
and the dry run says what it parsed to (kind, seat, revision, winner,
candidates) even when the file would be refused, and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from pipeline.config import Settings
from pipeline.exceptions import IncompleteFile, RejectedFile
from pipeline.model import Declaration, Nominations, StateOfParties
from pipeline.parse import parse_file, stamp_published
from pipeline.resolve import Reference, admit, load_reference, resolve_message

ACCEPTED = "accepted"  # would be stored (or superseded, if a higher revision is already stored)
REFUSED = "refused"  # would be quarantined, with reason_code and reason
WAITING = "waiting"  # cut off: would wait for the rest of it
UNREADABLE = "unreadable"  # could not be read at all: would be left in place


@dataclass
class Fate:
    """One message of one file as the ingest would see it."""

    file_name: str
    fate: str
    kind: str | None = None
    seat: str | None = None  # the constituency as named in the file
    gss_code: str | None = None  # as resolved against the seeds
    revision: int | None = None
    winner: str | None = None  # the party label the file names as winning
    candidates: list[str] = field(default_factory=list)  # "Name (Party) votes"
    election: str | None = None  # the file's <Election> name and date
    reason_code: str | None = None
    reason: str | None = None


def walk(paths: Iterable[Path]) -> list[Path]:
    """Files under the given paths, recursively, by name; hidden files (.timestamp, in-flight) skipped."""
    found: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found.update(c for c in p.rglob("*") if c.is_file() and not c.name.startswith("."))
        elif p.is_file():
            found.add(p)
    return sorted(found)


def _describe(path: Path, item: Any) -> Fate:
    """What a parsed message says, before anything decides its fate."""
    candidates = getattr(item, "candidates", None) or []
    winner = getattr(item, "winning_party_label", None)
    if winner is None:
        winner = next((c.party_label for c in candidates if getattr(c, "elected", False)), None)
    election = " ".join(x for x in (getattr(item, "election_name", None), getattr(item, "election_date", None)) if x)
    if isinstance(item, StateOfParties):  # no seat: the agency's totals after N results, N as its "revision"
        return Fate(
            file_name=path.name,
            fate=ACCEPTED,
            kind=str(item.file_kind),
            revision=item.number_of_results,
            candidates=[f"{p.label} {p.seats} seats, {p.votes:,} votes" for p in item.parties],
            election=election or None,
        )
    return Fate(
        file_name=path.name,
        fate=ACCEPTED,
        kind=str(getattr(item, "file_kind", None) or getattr(item, "kind", type(item).__name__)),
        seat=getattr(item, "constituency_name", None),
        revision=getattr(item, "revision", None),
        winner=winner,
        candidates=[
            f"{c.name} ({c.party_label})" + (f" {c.votes:,}" if getattr(c, "votes", None) is not None else "")
            for c in candidates
        ],
        election=election or None,
    )


def _refuse(fate: Fate, exc: RejectedFile) -> None:
    fate.fate = WAITING if isinstance(exc, IncompleteFile) else REFUSED
    fate.reason_code, fate.reason = str(exc.code), exc.reason


def dry_run(engine: Engine, paths: Sequence[Path], settings: Settings) -> list[Fate]:
    """Each file's fate, message by message, as the ingest would decide it; nothing is written anywhere."""
    from pipeline.ingest import published_at, read_received

    with engine.connect() as conn:
        ref = load_reference(conn, settings.feed_mode)
    fates: list[Fate] = []
    to_validate: list[tuple[Fate, Declaration | Nominations]] = []
    for path in walk(paths):
        try:
            received, too_large = read_received(path)
        except OSError as exc:
            fates.append(Fate(path.name, UNREADABLE, reason=f"could not read the file ({exc.strerror or exc})"))
            continue
        if too_large is not None:
            fates.append(Fate(path.name, REFUSED, reason_code=str(too_large.code), reason=too_large.reason))
            continue
        try:
            items = stamp_published(parse_file(received.file_name, received.body or b""), published_at(path))
        except RejectedFile as exc:
            fate = Fate(path.name, ACCEPTED)
            _refuse(fate, exc)
            fates.append(fate)
            continue
        for item in items:
            fate = _describe(path, item)
            fates.append(fate)
            try:
                _admit_and_resolve(item, ref)
            except RejectedFile as exc:
                _refuse(fate, exc)
                continue
            fate.gss_code = getattr(item, "gss_code", None)
            if isinstance(item, (Declaration, Nominations)):
                to_validate.append((fate, item))
    _validate(to_validate, ref)
    return fates


def _admit_and_resolve(item: Any, ref: Reference) -> None:
    resolve_message(admit(item, ref), ref)


def _validate(pairs: list[tuple[Fate, Declaration | Nominations]], ref: Reference) -> None:
    """The great-expectations gate over every admitted declaration, as the ingest runs it."""
    if not pairs:
        return
    from pipeline.validation import validate

    for (fate, _), reasons in zip(pairs, validate([d for _, d in pairs], ref.counting_election_id), strict=True):
        if reasons:
            fate.fate, fate.reason_code, fate.reason = REFUSED, "invalid", "; ".join(reasons)


def counts(fates: Sequence[Fate]) -> dict[str, dict[str, int]]:
    """Messages per kind and fate (refused ones by reason code)."""
    table: dict[str, Counter] = {}
    for f in fates:
        column = f.fate if f.fate != REFUSED else f"refused: {f.reason_code}"
        table.setdefault(f.kind or "(unparsed)", Counter())[column] += 1
    return {kind: dict(c) for kind, c in sorted(table.items())}


def as_json(fates: Sequence[Fate]) -> dict[str, Any]:
    """The machine-readable form of `--dry-run --json`."""
    return {"counts": counts(fates), "files": [asdict(f) for f in fates]}


def print_fates(fates: Sequence[Fate]) -> None:
    """Each file's fate as a table, then the counts by kind and fate."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="What each file would become (dry run: nothing stored or moved)", show_lines=False)
    for column in ("file", "kind", "seat", "rev", "winner", "candidates", "fate"):
        table.add_column(column, overflow="fold")
    for f in fates:
        cands = f"{len(f.candidates)}: " + ", ".join(f.candidates[:3]) + (" …" if len(f.candidates) > 3 else "")
        fate = f.fate if f.fate == ACCEPTED else f"{f.fate}: {f.reason_code}"
        table.add_row(
            f.file_name,
            f.kind or "",
            f.seat or "",
            str(f.revision or ""),
            f.winner or "",
            cands if f.candidates else "",
            fate,
        )
    console.print(table)
    summary = Table(title="Messages by kind and fate")
    columns = sorted({c for row in counts(fates).values() for c in row})
    summary.add_column("kind")
    for c in columns:
        summary.add_column(c, justify="right")
    for kind, row in counts(fates).items():
        summary.add_row(kind, *(str(row.get(c, "")) for c in columns))
    console.print(summary)
    examples: dict[str, Fate] = {}
    for f in fates:
        if f.reason_code:
            examples.setdefault(f.reason_code, f)
    for code, f in examples.items():
        console.print(f"[bold]{code}[/], e.g. {f.file_name}: {f.reason}")
