"""The typed declaration every feed format is parsed into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("result", "rush", "recount")


@dataclass
class Candidate:
    """One candidate line of a result, as received plus what we resolved."""

    position: int  # 1-based order in the file
    name: str
    party_label: str  # the feed's own abbreviation or name
    votes_raw: str | None  # the attribute text, kept for validation messages
    votes: int | None  # whole number parsed from votes_raw, else None
    elected: bool
    party_code: str | None = None  # canonical code, filled by resolution
    party_name: str | None = None  # the feed's long party name, tried when the label is unknown


@dataclass
class Declaration:
    """One message about one constituency: a rush, a full result or a recount notice."""

    kind: str  # one of KINDS
    source_format: str  # "agency_xml" or "dc_csv"
    revision: int
    constituency_name: str | None
    gss_code_given: str | None  # as in the file; may be absent
    election_name: str | None = None
    election_date: str | None = None  # ISO date as given
    election_type: str | None = None
    election_id: str | None = None  # Democracy Club style, e.g. parl.2019-12-12
    declared_at: datetime | None = None
    electorate: int | None = None  # as given in the file, if any
    electorate_raw: str | None = None
    turnout: int | None = None  # ballots counted as given by the agency, if any
    winning_party_label: str | None = None  # a rush's flashed winner
    agency: dict[str, str] = field(default_factory=dict)  # the agency's own figures, stored not trusted
    candidates: list[Candidate] = field(default_factory=list)
    # filled by resolution
    gss_code: str | None = None
    winning_party_code: str | None = None
    registered_electorate: int | None = None  # from the seeds for this election
    unknown_parties: list[str] = field(default_factory=list)

    @property
    def valid_votes(self) -> int:
        """Sum of whole-number votes (0 for a rush or recount)."""
        return sum(c.votes or 0 for c in self.candidates)
