"""How the agency writes things: its feeds, its party lines, its file names and its numbers.

Shared by the writers of each message (pipeline.rehearsal.agency_messages,
agency_previous, agency_sop): two-decimal percentages, signed change fields,
absent attributes rather than zeros, the agency's abbreviations and ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from pipeline.rehearsal.seats import ascii_fold, ranked

ELECTION_TYPE = "G"
TEST_ID_OFFSET = 500_000  # live and TEST ids differ


@dataclass(frozen=True)
class Previous:
    """The election every result and nominations file carries as its past: the agency's baseline."""

    name: str
    date: str
    kind: str = ELECTION_TYPE
    # After a boundary change the agency sends the notional result instead:
    # <PreviousNotionalElection>, parties straight under the constituency, an Others line.
    notional: bool = False

    @property
    def tag(self) -> str:
        """The block's element name."""
        return "PreviousNotionalElection" if self.notional else "PreviousElection"


PROVENANCE = (
    "Candidate names are invented; votes are the House of Commons Library's 2019 "
    "figures; minor candidates are folded into one 'Other' line as in the Library data"
)


@dataclass(frozen=True)
class Feed:
    """Which of the agency's two feeds the files imitate (live, or the TEST feed of a rehearsal), for which night."""

    name: str  # Election@name
    date: str  # Election@date
    test: bool  # surnames end in " Test", ids differ from live
    previous: Previous = Previous("General Election", "2017-06-08")
    candidate_ids: int = 170_000  # where the night's candidates' paIds start (before the TEST offset)
    provenance: str = PROVENANCE  # the comment closing every file

    @property
    def prefix(self) -> str:
        """The file-name prefix: the election name with spaces as underscores."""
        return self.name.replace(" ", "_")


LIVE = Feed("General Election", "2019-12-12", test=False)
# The TEST feed's rehearsal: the agency's test nights carry the rehearsal's own date.
REHEARSAL_DATE = "2019-11-28"
TEST = Feed("Test General Election", REHEARSAL_DATE, test=True)

# Canonical party code -> (agency abbreviation, agency party name, agency party paId).
AGENCY_PARTY: dict[str, tuple[str, str, int]] = {
    "CON": ("C", "Conservative", 8623),
    "LAB": ("Lab", "Labour", 8624),
    "LD": ("LD", "Liberal Democrat", 8626),
    "SNP": ("SNP", "Scottish National Party", 8628),
    "PC": ("PC", "Plaid Cymru", 8627),
    "GRN": ("Green", "Green", 8631),
    "BRX": ("Brexit", "Brexit Party", 8702),
    "UKIP": ("UKIP", "UK Independence Party", 8612),
    "DUP": ("DUP", "Democratic Unionist Party", 8640),
    "SF": ("SF", "Sinn Fein", 8641),
    "SDLP": ("SDLP", "Social Democratic and Labour Party", 8642),
    "UUP": ("UUP", "Ulster Unionist Party", 8643),
    "ALL": ("Alliance", "Alliance", 8644),
    "SPK": ("Speaker", "Speaker", 8650),
    "IND": ("Ind", "Independent", 8660),
    "OTH": ("Oth", "Other", 8699),
    # 2024: the agency's short form for Reform UK (its rushes read "Reform UK gain Clacton from Conservative").
    "REF": ("Reform", "Reform UK", 8703),
    "TUV": ("TUV", "Traditional Unionist Voice", 8645),
}
OTHERS = ("Others", "Others", -9999)  # (abbreviation, name, paId) of the state of the parties' pseudo-party


def slug(name: str) -> str:
    """A constituency name as the agency's file names give it: ASCII, spaces to `_`, `&` to `and`."""
    # Commas, hyphens and apostrophes stay (the spec's "File names").
    return ascii_fold(name).replace("&", "and").replace(" ", "_")


def file_name(kind: str, constituency: str, revision: int, feed: Feed = LIVE) -> str:
    """The agency file name, e.g. General_Election_result_Norwich_North_1.xml."""
    return f"{feed.prefix}_{kind}_{slug(constituency)}_{revision}.xml"


def sop_file_name(number_of_results: int, feed: Feed = LIVE) -> str:
    """A state-of-the-parties file name, e.g. General_Election_SOP_102.xml."""
    return f"{feed.prefix}_SOP_{number_of_results}.xml"


def pct(value: float) -> str:
    """A percentage as the agency writes it: two decimals."""
    return f"{value:.2f}"


def signed(value: float) -> str:
    """A change as the agency writes it: signed, two decimals ("+0.00" and "-0.00" both occur)."""
    return f"{value:+.2f}"


def share(votes: Mapping[str, int], party: str) -> float | None:
    """The party's share of the votes in percent; None if it did not stand (or nobody voted)."""
    total = sum(votes.values())
    return votes[party] * 100.0 / total if party in votes and total else None


def majority_pct(votes: Mapping[str, int]) -> float | None:
    """The winner's lead over the runner-up in percent of the votes; None with fewer than two."""
    order = ranked(votes)
    total = sum(votes.values())
    return (votes[order[0]] - votes[order[1]]) * 100.0 / total if len(order) > 1 and total else None


def attrs(pairs: Iterable[tuple[str, object | None]]) -> str:
    """Attributes in the given order, quoted; a None value is left out (absent, not empty)."""
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in pairs if v is not None)


def abbr(party: str) -> str:
    """The agency's abbreviation for a canonical party code."""
    return AGENCY_PARTY[party][0]


def party_name(party: str) -> str:
    """The agency's name for a canonical party code."""
    return AGENCY_PARTY[party][1]


def party_id(party: str, feed: Feed) -> int:
    """The agency's paId for a party on this feed."""
    return AGENCY_PARTY[party][2] + (TEST_ID_OFFSET if feed.test else 0)


def outcome(winner: str, sitting: str) -> str:
    """The agency's gain or hold, against the party holding the seat at dissolution."""
    return "hold" if not sitting or winner == sitting else "gain"


def iso(moment: datetime) -> str:
    """An agency timestamp: ISO 8601 in UTC, whole seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def open_root(root: str, root_attrs: Sequence[tuple[str, object | None]], feed: Feed) -> list[str]:
    """The first lines of a message: the declaration, its root and its <Election>."""
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<{root} {attrs(root_attrs)}>",
        "  <Election " + attrs([("name", feed.name), ("date", feed.date), ("type", ELECTION_TYPE)]) + ">",
    ]


def close_root(root: str, feed: Feed) -> list[str]:
    """The last lines of a message: its root closed, then the provenance note."""
    # The agency's files have no comments, and the first lines stay as the agency's are.
    return [f"</{root}>", f"<!-- {feed.provenance} -->", ""]


def party_line(party: str, feed: Feed, extra: Sequence[tuple[str, object | None]] = ()) -> str:
    """A <Party> element for the party on this feed, with any figures after its name."""
    return (
        "<Party "
        + attrs([("paId", party_id(party, feed)), ("name", party_name(party)), ("abbreviation", abbr(party)), *extra])
        + " />"
    )
