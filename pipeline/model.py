"""The pipeline's vocabulary and the typed declaration every feed format is parsed into.

Each enum below is the one list of the values a column may hold; the SQL
`check` constraints in sql/migrations say the same (tests/test_model.py
compares them with pg_constraint). Adding a value is one line here plus a
migration that widens the constraint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class MessageKind(StrEnum):
    """What a message says about a seat (pipeline.declaration.kind)."""

    RESULT = "result"
    RUSH = "rush"
    RECOUNT = "recount"


class SourceFormat(StrEnum):
    """The feed a declaration came from (pipeline.declaration.source_format)."""

    AGENCY_XML = "agency_xml"
    DC_CSV = "dc_csv"


class Outcome(StrEnum):
    """What became of one received file (pipeline.receipt.outcome, plus two never recorded)."""

    STORED = "stored"
    SUPERSEDED = "superseded"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"
    ALREADY = "already"  # this (name, content) was recorded before: nothing new is written
    UNREADABLE = "unreadable"  # the file could not be read: reported and left in place
    WAITING = "waiting"  # still being written, or cut off and maybe still coming: left for a later run

    @classmethod
    def recorded(cls) -> tuple[Outcome, ...]:
        """The outcomes a receipt row can hold."""
        return tuple(o for o in cls if o not in (cls.ALREADY, cls.UNREADABLE, cls.WAITING))


class ReasonCode(StrEnum):
    """Why a file was not stored as new (pipeline.receipt.reason_code); null for a stored file."""

    # quarantined: one per RejectedFile subclass in pipeline.exceptions
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"
    INCOMPLETE = "incomplete"  # the message ends early and stopped changing: it never completed
    UNSAFE_XML = "unsafe_xml"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"
    UNKNOWN_CONSTITUENCY = "unknown_constituency"
    UNSTORABLE = "unstorable"  # a value the database cannot hold (an integer beyond 32 bits, a NUL)
    PARSER_ERROR = "parser_error"  # a bug of ours while reading the file
    TEST_MESSAGE = "test_message"  # a TEST-feed message on a live night
    LIVE_MESSAGE = "live_message"  # a live-feed message in a rehearsal (RESULTSNIGHT_FEED_MODE=test)
    OTHER_ELECTION = "other_election"  # another election's message (type not G, or another date)
    NOT_THIS_ELECTION = "not_this_election"  # a kind of message a general election never has (TopUp*, referendum)
    # not quarantined
    DUPLICATE_BYTES = "duplicate_bytes"  # outcome duplicate: the same bytes came under another name
    STALE_REVISION = "stale_revision"  # outcome superseded: that revision, or a higher one, is already stored


class SeatStatus(StrEnum):
    """Where a seat's count stands (pipeline.seat_state.status, results.seat_status.status)."""

    AWAITING = "awaiting"
    CALLED = "called"  # the desk has called it; no rush or result yet
    RUSH = "rush"
    RECOUNT = "recount"
    DECLARED = "declared"


class EventKind(StrEnum):
    """What a row of the live board's event log announces (pipeline.event.kind, pipeline.board)."""

    DECLARATION = "declaration"
    ALERT = "alert"
    CALL = "call"
    RESET = "reset"
    NOMINATIONS = "nominations"  # a seat's nominations list stored
    STATE_OF_PARTIES = "state_of_parties"  # the agency's state of the parties stored
    ELECTION = "election"  # another election is counted (db init --election): the board starts again


class AlertKind(StrEnum):
    """What an alert announces (pipeline.alert.kind)."""

    FLIP = "flip"
    RETRACTION = "retraction"
    RECOUNT = "recount"
    DISAGREEMENT = "disagreement"  # the agency's state of the parties disagrees with our seats


class AlertSource(StrEnum):
    """The kind of message that raised an alert (pipeline.alert.source)."""

    RUSH = "rush"
    RESULT = "result"
    RECOUNT = "recount"
    DESK = "desk"  # the results desk's own call (pipeline.calls)
    STATE_OF_PARTIES = "state_of_parties"  # the agency's running totals (a disagreement)


class ReceiverKind(StrEnum):
    """Where an alert delivery attempt went (pipeline.alert_delivery.receiver)."""

    WEBHOOK = "webhook"  # RESULTSNIGHT_ALERT_WEBHOOK
    LOG = "log"  # no webhook set: the alert is written to the log


class FeedFolder(StrEnum):
    """The agency's folders the fetcher pulls, in the order it pulls them (pipeline.fetched_file.folder)."""

    NOMINATIONS = "nominations"  # first: a seat's candidates before its result
    RESULTS = "results"


class KnownSource(StrEnum):
    """Where a seat's known winner comes from (pipeline.seat_state.known_source)."""

    CALL = "call"  # the desk's call, while no rush or result is stored
    RUSH = "rush"
    RESULT = "result"


class FileKind(StrEnum):
    """What message a received file held (pipeline.receipt.message_kind, results.files); null when unreadable."""

    RESULT = "result"
    RUSH = "rush"
    RECOUNT = "recount"
    NOMINATIONS = "nominations"
    STATE_OF_PARTIES = "state_of_parties"
    DC_CSV = "dc_csv"


# the message kinds with an expectation suite, in the order the suites are run
KINDS: tuple[str, ...] = (*MessageKind, FileKind.NOMINATIONS)


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
    sitting_member: bool = False  # previousSittingMember="*" (never "+", a member of the body sitting elsewhere)


@dataclass
class Declaration:
    """One message about one constituency: a rush, a full result or a recount notice."""

    kind: MessageKind
    source_format: SourceFormat
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
    # the agency's own figures, stored not trusted: the root's and the
    # constituency's attributes as text, and under "previous" the
    # PreviousElection / PreviousNotionalElection blocks (never counted)
    agency: dict[str, Any] = field(default_factory=dict)
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

    @property
    def file_kind(self) -> FileKind:
        """The kind of file this declaration came in (results.files.message_kind)."""
        return FileKind.DC_CSV if self.source_format == SourceFormat.DC_CSV else FileKind(self.kind)


@dataclass
class Nominations:
    """One constituency's list of nominated candidates (FirstPastThePostNominations): a higher revision replaces it."""

    revision: int
    constituency_name: str | None
    gss_code_given: str | None
    election_name: str | None = None
    election_date: str | None = None
    election_type: str | None = None
    election_id: str | None = None  # the counted election's, once admitted
    electorate: int | None = None
    electorate_raw: str | None = None
    # the root's and constituency's attributes as text, and the PreviousElection blocks (never counted)
    agency: dict[str, Any] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)  # votes always None
    # filled by resolution
    gss_code: str | None = None
    registered_electorate: int | None = None
    unknown_parties: list[str] = field(default_factory=list)
    kind: str = FileKind.NOMINATIONS  # the expectation suite it is validated by (expectations/nominations.json)
    source_format: SourceFormat = SourceFormat.AGENCY_XML

    @property
    def file_kind(self) -> FileKind:
        """Always FileKind.NOMINATIONS."""
        return FileKind.NOMINATIONS


@dataclass
class PartyTotal:
    """One <Party> of a state-of-the-parties message: the agency's running total for it."""

    position: int  # 1-based order in the file
    label: str  # the abbreviation ("Others" for the pseudo-party), else the name
    name: str | None
    seats: int  # absent totalSeats / gains / losses mean 0
    gains: int
    losses: int
    votes: int
    share_pct: float | None
    share_change_pct: float | None
    party_code: str | None = None  # canonical code, filled by resolution (OTH for Others and unknown parties)


@dataclass
class StateOfParties:
    """The agency's running totals after N results (FirstPastThePostStateOfParties): no revision, N orders them."""

    number_of_results: int
    election_name: str | None = None
    election_date: str | None = None
    election_type: str | None = None
    election_id: str | None = None  # the counted election's, once admitted
    total_constituencies: int | None = None
    total_votes: int | None = None
    agency: dict[str, Any] = field(
        default_factory=dict
    )  # the root's attributes as text (forecastWinningParty, note, ...)
    parties: list[PartyTotal] = field(default_factory=list)
    constituency_names: list[str] = field(default_factory=list)  # ConstituenciesIncluded, in file order
    # filled by resolution
    gss_codes: list[str] = field(default_factory=list)
    unknown_parties: list[str] = field(default_factory=list)
    source_format: SourceFormat = SourceFormat.AGENCY_XML
    kind: str = FileKind.STATE_OF_PARTIES  # no expectation suite: checked as it is parsed and resolved

    @property
    def file_kind(self) -> FileKind:
        """Always FileKind.STATE_OF_PARTIES."""
        return FileKind.STATE_OF_PARTIES


# Whatever one received file can be parsed into.
Message = Declaration | Nominations | StateOfParties


@dataclass(frozen=True)
class StoredResult:
    """A result the storing transaction just made its seat's current one: refresh needs no query to count it."""

    gss_code: str
    declaration_id: int
    votes: dict[str, int]  # by party code, two independents summed under IND
    elected: str | None  # the elected candidate's party
