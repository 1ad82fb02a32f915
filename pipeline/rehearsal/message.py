"""One file of a replayed feed and the moment it lands: what the stories produce and `play` writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Message:
    """One file of the replayed feed and the moment it lands in the inbox."""

    at: datetime  # when the agency publishes it on the replayed night (UTC, tz-aware): its landing and its mtime
    file_name: str
    body: bytes  # the XML
    # 'rush' | 'result' | 'recount' | 'nominations' | 'sop' | 'bad' (only from pipeline.rehearsal.bad_files)
    kind: str
    gss_code: str  # '' for a state-of-the-parties file
    revision: int  # a state-of-the-parties file: its N (numberOfResults)
    folder: str = "results"  # the agency's folder: 'results' or 'nominations'
    winner: str = ""  # rush and result: the party code the message names as winner
    votes: tuple[tuple[str, int], ...] = ()  # result: the (possibly mistyped) votes it carries, by party code


_KIND_ORDER = {kind: i for i, kind in enumerate(("nominations", "recount", "rush", "result", "sop", "bad"))}


def in_landing_order(messages: Iterable[Message]) -> list[Message]:
    """The messages sorted as they land: by time, then kind, revision and file name."""
    return sorted(messages, key=lambda m: (m.at, _KIND_ORDER[m.kind], m.revision, m.file_name))
