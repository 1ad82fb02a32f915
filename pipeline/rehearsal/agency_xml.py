"""The agency XML writer: the mirror of pipeline.parse, writing what the agency writes.

Each function writes one message as the agency's live (or TEST) feed does
(docs: the spec's "Agency XML" section, checked by eye against the agency's
own TEST-programme files): no `gssCode`, `Constituency@number` the agency's
seat number (alphabetical here), two-decimal percentages, signed change
fields, absent attributes rather than zeros, `declarationTime` on results
only, `PreviousElection` from the 2017 baseline in every result and
nominations file, rushes naming `winningPartyAbbreviation` with every
candidate. tests/unit/test_agency_xml.py checks that pipeline.parse reads
back exactly what was written. The agency's own figures (`sittingParty`,
`gainOrHold`, swing, its state-of-the-parties gains) compare with the party
holding the seat at dissolution, not with 2017: the pipeline must not trust
them, and this writer makes sure it cannot.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from pipeline.rehearsal.seats import Seat, ascii_fold, ranked


@dataclass(frozen=True)
class Feed:
    """Which of the agency's two feeds the files imitate: live, or the TEST feed of a rehearsal."""

    name: str  # Election@name
    date: str  # Election@date
    test: bool  # surnames end in " Test", ids differ from live

    @property
    def prefix(self) -> str:
        """The file-name prefix: the election name with spaces as underscores."""
        return self.name.replace(" ", "_")


ELECTION_TYPE = "G"
LIVE = Feed("General Election", "2019-12-12", test=False)
# The TEST feed's rehearsal: the agency's test nights carry the rehearsal's own date.
REHEARSAL_DATE = "2019-11-28"
TEST = Feed("Test General Election", REHEARSAL_DATE, test=True)
PREVIOUS = ("General Election", "2017-06-08", "G")  # the baseline every result and nominations file carries
TEST_ID_OFFSET = 500_000  # live and TEST ids differ

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
}
OTHERS = (
    "Others",
    "Others",
    -9999,
)  # (abbreviation, name, paId) as in AGENCY_PARTY  # the state of the parties' pseudo-party
# Minor candidates are folded into one line in the Library's data: in the
# state of the parties they are the agency's Others.
_SOP_OTHERS = {"OTH"}

PROVENANCE = (
    "Candidate names are invented; votes are the House of Commons Library's 2019 "
    "figures; minor candidates are folded into one 'Other' line as in the Library data"
)

# Invented people: the 2019 candidates (pipeline.rehearsal.stories) and the 2017 ones.
FIRST_NAMES = (
    "Aisha",
    "Alan",
    "Alice",
    "Amir",
    "Andrew",
    "Angela",
    "Anna",
    "Ben",
    "Bethan",
    "Carol",
    "Catherine",
    "Chris",
    "Claire",
    "Daniel",
    "David",
    "Deborah",
    "Eilidh",
    "Emma",
    "Fiona",
    "Gareth",
    "Grace",
    "Hannah",
    "Harriet",
    "Ian",
    "Imran",
    "James",
    "Jane",
    "Jo",
    "John",
    "Kate",
    "Kieran",
    "Laura",
    "Liam",
    "Lucy",
    "Mark",
    "Mary",
    "Michael",
    "Nadia",
    "Neil",
    "Niamh",
    "Oliver",
    "Patrick",
    "Priya",
    "Rachel",
    "Rhys",
    "Richard",
    "Ruth",
    "Sarah",
    "Sean",
    "Simon",
    "Sophie",
    "Stephen",
    "Susan",
    "Tom",
    "Una",
    "Victoria",
    "William",
    "Yasmin",
    "Zoe",
)
SURNAMES = (
    "Ahmed",
    "Allen",
    "Bailey",
    "Baker",
    "Begum",
    "Bell",
    "Brown",
    "Campbell",
    "Carter",
    "Clarke",
    "Cooper",
    "Davies",
    "Doherty",
    "Edwards",
    "Evans",
    "Fraser",
    "Gallagher",
    "Graham",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Jackson",
    "James",
    "Jenkins",
    "Johnson",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "King",
    "Lewis",
    "Lloyd",
    "MacDonald",
    "McLaughlin",
    "Mitchell",
    "Moore",
    "Morgan",
    "Murphy",
    "Murray",
    "O'Neill",
    "Owen",
    "Parry",
    "Patel",
    "Price",
    "Reid",
    "Roberts",
    "Robertson",
    "Robinson",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Walker",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
)

_FEMALE = frozenset(
    {
        "Aisha",
        "Alice",
        "Angela",
        "Anna",
        "Bethan",
        "Carol",
        "Catherine",
        "Claire",
        "Deborah",
        "Eilidh",
        "Emma",
        "Fiona",
        "Grace",
        "Hannah",
        "Harriet",
        "Jane",
        "Jo",
        "Kate",
        "Laura",
        "Lucy",
        "Mary",
        "Nadia",
        "Niamh",
        "Priya",
        "Rachel",
        "Ruth",
        "Sarah",
        "Sophie",
        "Susan",
        "Una",
        "Victoria",
        "Yasmin",
        "Zoe",
    }
)


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


def _pct(value: float) -> str:
    return f"{value:.2f}"


def _signed(value: float) -> str:
    return f"{value:+.2f}"  # "+0.00" and "-0.00" both occur in the agency's files


def _share(votes: Mapping[str, int], party: str) -> float | None:
    total = sum(votes.values())
    return votes[party] * 100.0 / total if party in votes and total else None


def _attrs(pairs: Iterable[tuple[str, object | None]]) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in pairs if v is not None)


def _abbr(party: str) -> str:
    return AGENCY_PARTY[party][0]


def _party_name(party: str) -> str:
    return AGENCY_PARTY[party][1]


def _party_id(party: str, feed: Feed) -> int:
    return AGENCY_PARTY[party][2] + (TEST_ID_OFFSET if feed.test else 0)


def candidate_id(seat: Seat, party: str, feed: Feed = LIVE, *, year: int = 2019) -> int:
    """A candidate's paId: stable per seat, party and election; different on the TEST feed."""
    parties = sorted(seat.votes if year == 2019 else seat.votes_2017)
    base = 170_000 if year == 2019 else 60_000
    return base + seat.number * 20 + parties.index(party) + (TEST_ID_OFFSET if feed.test else 0)


def _surname(last: str, feed: Feed) -> str:
    return f"{last} Test" if feed.test else last


def _sex(first: str) -> str:
    return "F" if first in _FEMALE else "M"


def _majority_pct(votes: Mapping[str, int]) -> float | None:
    order = ranked(votes)
    total = sum(votes.values())
    return (votes[order[0]] - votes[order[1]]) * 100.0 / total if len(order) > 1 and total else None


def _outcome(winner: str, sitting: str) -> str:
    """The agency's gain or hold, against the party holding the seat at dissolution."""
    return "hold" if not sitting or winner == sitting else "gain"


def _agency_swing(seat: Seat, votes: Mapping[str, int], winner: str) -> list[tuple[str, object | None]]:
    """Agency-style swing: winner against the sitting party (gain) or the runner-up (hold)."""
    other = seat.sitting if seat.sitting and seat.sitting != winner else ranked(votes)[1]
    now_w, now_o = _share(votes, winner), _share(votes, other)
    then_w, then_o = _share(seat.votes_2017, winner), _share(seat.votes_2017, other)
    if None in (now_w, now_o, then_w, then_o):  # a party missing from one election: no swing
        return []
    swing = ((now_w - then_w) - (now_o - then_o)) / 2  # type: ignore[operator]
    to, frm = (winner, other) if swing >= 0 else (other, winner)
    return [("swing", _pct(abs(swing))), ("swingTo", _abbr(to)), ("swingFrom", _abbr(frm))]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _open(root: str, root_attrs: Sequence[tuple[str, object | None]], feed: Feed) -> list[str]:
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<{root} {_attrs(root_attrs)}>",
        "  <Election " + _attrs([("name", feed.name), ("date", feed.date), ("type", ELECTION_TYPE)]) + ">",
    ]


def _close(root: str) -> list[str]:
    # The provenance note closes the file: the agency's files have no comments,
    # and the first lines stay as the agency's are.
    return [f"</{root}>", f"<!-- {PROVENANCE} -->", ""]


def _candidate_attrs(
    seat: Seat, party: str, names: Mapping[str, tuple[str, str]], feed: Feed
) -> list[tuple[str, object | None]]:
    first, last = names[party]
    return [
        ("paId", candidate_id(seat, party, feed)),
        ("sex", _sex(first)),
        ("firstName", first),
        ("surname", _surname(last, feed)),
    ]


def _sitting_member(seat: Seat, party: str) -> str | None:
    return "*" if party == seat.sitting else None


def _party_line(party: str, feed: Feed, extra: Sequence[tuple[str, object | None]] = ()) -> str:
    return (
        "<Party "
        + _attrs(
            [("paId", _party_id(party, feed)), ("name", _party_name(party)), ("abbreviation", _abbr(party)), *extra]
        )
        + " />"
    )


def previous_election_xml(seat: Seat, feed: Feed = LIVE) -> list[str]:
    """The PreviousElection block (the 2017 general election) that results and nominations carry."""
    base = seat.votes_2017
    if not base:
        return []
    order = ranked(base)
    total = sum(base.values())
    names = previous_names(seat)
    con = _attrs(
        [
            ("number", seat.number),
            ("name", seat.name),
            ("turnout", total),
            ("percentageTurnout", _pct(total * 100.0 / seat.electorate_2017) if seat.electorate_2017 else None),
            ("winningParty", _abbr(order[0])),
            ("majority", base[order[0]] - base[order[1]] if len(order) > 1 else None),
            ("percentageMajority", _pct(_majority_pct(base)) if len(order) > 1 else None),
        ]
    )
    name, date, kind = PREVIOUS
    lines = [
        f"  <PreviousElection {_attrs([('name', name), ('date', date), ('type', kind)])}>",
        f"    <Constituency {con}>",
    ]
    for party in order:
        first, last = names[party]
        cand = _attrs(
            [
                ("paId", candidate_id(seat, party, feed, year=2017)),
                ("firstName", first),
                ("surname", last),
                ("sex", _sex(first)),
            ]
        )
        lines += [
            f"      <Candidate {cand}>",
            "        "
            + _party_line(party, feed, [("votes", base[party]), ("percentageShare", _pct(_share(base, party) or 0.0))]),
            "      </Candidate>",
        ]
    lines += ["    </Constituency>", "  </PreviousElection>"]
    return lines


def previous_names(seat: Seat) -> dict[str, tuple[str, str]]:
    """The 2017 candidates' invented names (not the 2019 ones: many did not stand again)."""
    rng = random.Random(f"2017:{seat.number}")
    surnames = rng.sample(SURNAMES, len(seat.votes_2017))
    return {
        p: ("Other", "candidates") if p == "OTH" else (rng.choice(FIRST_NAMES), s)
        for p, s in zip(sorted(seat.votes_2017), surnames, strict=False)
    }


def result_xml(
    seat: Seat,
    votes: Mapping[str, int],
    *,
    revision: int,
    declared_at: datetime,
    names: Mapping[str, tuple[str, str]],
    feed: Feed = LIVE,
) -> bytes:
    """A FirstPastThePostResult for `seat` with the given (possibly mistyped) votes."""
    order = ranked(votes)
    winner, runner_up = order[0], order[1]
    total = sum(votes.values())
    majority = votes[winner] - votes[runner_up]
    turnout_pct = total * 100.0 / seat.electorate
    base = seat.votes_2017
    base_total = sum(base.values())
    majority_pct = majority * 100.0 / total
    before_majority = _majority_pct(base) if base else None
    constituency = _attrs(
        [
            ("number", seat.number),
            ("name", seat.name),
            ("electorate", seat.electorate),
            ("turnout", total),  # valid votes; the Library data has no rejected ballots
            ("percentageTurnout", _pct(turnout_pct)),
            (
                "percentageChangeTurnout",
                _signed(turnout_pct - base_total * 100.0 / seat.electorate_2017)
                if base and seat.electorate_2017
                else None,
            ),
            ("winningParty", _abbr(winner)),
            ("gainOrHold", _outcome(winner, seat.sitting)),
            ("sittingParty", _abbr(seat.sitting) if seat.sitting else None),
            ("majority", majority),
            ("percentageMajority", _pct(majority_pct)),
            (
                "percentageChangeMajority",
                _signed(majority_pct - before_majority) if before_majority is not None else None,
            ),
            *_agency_swing(seat, votes, winner),
        ]
    )
    lines = _open("FirstPastThePostResult", [("revision", revision), ("declarationTime", _iso(declared_at))], feed)
    lines.append(f"    <Constituency {constituency}>")
    for party in order:
        share, before = _share(votes, party), _share(base, party)
        cand = _attrs(
            [
                ("elected", "*" if party == winner else None),
                ("previousSittingMember", _sitting_member(seat, party)),
                *_candidate_attrs(seat, party, names, feed),
            ]
        )
        figures = [
            ("votes", votes[party]),
            ("percentageShare", _pct(share or 0.0)),
            ("percentageShareChange", _signed(share - before) if share is not None and before is not None else None),
        ]
        lines += [f"      <Candidate {cand}>", "        " + _party_line(party, feed, figures), "      </Candidate>"]
    lines += [
        "    </Constituency>",
        "  </Election>",
        *previous_election_xml(seat, feed),
        *_close("FirstPastThePostResult"),
    ]
    return "\n".join(lines).encode("utf-8")


def rush_text(seat: Seat, winner: str, *, correction: bool = False) -> str:
    """The rush's paStyleMessageText, e.g. 'Conservative gain Blyth Valley from Labour'."""
    if _outcome(winner, seat.sitting) == "hold":
        text = f"{_party_name(winner)} hold {seat.name}"
    else:
        text = f"{_party_name(winner)} gain {seat.name} from {_party_name(seat.sitting)}"
    return f"Correction: {text}" if correction else text


def rush_xml(
    seat: Seat,
    *,
    winner: str,
    names: Mapping[str, tuple[str, str]],
    revision: int = 1,
    correction: bool = False,
    feed: Feed = LIVE,
) -> bytes:
    """A FirstPastThePostRush flashing `winner` for `seat`, every candidate listed; no declarationTime."""
    gain_or_hold = _outcome(winner, seat.sitting)
    constituency = _attrs(
        [
            ("number", seat.number),
            ("name", seat.name),
            ("electorate", seat.electorate),
            ("gainOrHold", gain_or_hold),
            ("winningPartyAbbreviation", _abbr(winner)),
            ("winningPartyName", _party_name(winner)),
            ("sittingPartyAbbreviation", _abbr(seat.sitting) if seat.sitting else None),
            ("sittingPartyName", _party_name(seat.sitting) if seat.sitting else None),
            ("change", "true" if gain_or_hold == "gain" else "false"),
            ("paStyleMessageText", rush_text(seat, winner, correction=correction)),
        ]
    )
    lines = _open("FirstPastThePostRush", [("revision", revision)], feed)
    lines.append(f"    <Constituency {constituency}>")
    for party in sorted(seat.votes, key=lambda p: candidate_id(seat, p, feed)):  # the agency lists them by paId
        cand = _attrs(
            [
                ("elected", "*" if party == winner else None),
                ("previousSittingMember", _sitting_member(seat, party)),
                *_candidate_attrs(seat, party, names, feed),
            ]
        )
        lines += [f"      <Candidate {cand}>", "        " + _party_line(party, feed), "      </Candidate>"]
    lines += ["    </Constituency>", "  </Election>", *_close("FirstPastThePostRush")]
    return "\n".join(lines).encode("utf-8")


def recount_xml(seat: Seat, *, recount: int = 1, revision: int = 1, feed: Feed = LIVE) -> bytes:
    """A Recount notice for `seat` (`recount` counts the recounts); its time is the file's."""
    constituency = _attrs([("number", seat.number), ("name", seat.name), ("recount", recount)])
    lines = _open("Recount", [("revision", revision)], feed)
    lines += [f"    <Constituency {constituency} />", "  </Election>", *_close("Recount")]
    return "\n".join(lines).encode("utf-8")


def nominations_xml(seat: Seat, *, names: Mapping[str, tuple[str, str]], revision: int = 1, feed: Feed = LIVE) -> bytes:
    """A FirstPastThePostNominations: the seat's candidates (no votes), then the 2017 block."""
    constituency = _attrs([("number", seat.number), ("name", seat.name), ("electorate", seat.electorate)])
    lines = _open("FirstPastThePostNominations", [("revision", revision)], feed)
    lines.append(f"    <Constituency {constituency}>")
    for party in sorted(seat.votes, key=lambda p: candidate_id(seat, p, feed)):
        first, last = names[party]
        cand = _attrs(
            [
                ("paId", candidate_id(seat, party, feed)),
                ("previousSittingMember", _sitting_member(seat, party)),
                ("sex", _sex(first)),
                ("firstName", first),
                ("surname", _surname(last, feed)),
            ]
        )
        lines += [f"      <Candidate {cand}>", "        " + _party_line(party, feed), "      </Candidate>"]
    lines += [
        "    </Constituency>",
        "  </Election>",
        *previous_election_xml(seat, feed),
        *_close("FirstPastThePostNominations"),
    ]
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class Declared:
    """One seat as the agency counts it in a state-of-the-parties message: its latest figures and winner."""

    seat: Seat
    votes: Mapping[str, int]
    winner: str


def state_of_parties_xml(declared: Sequence[Declared], *, total_constituencies: int = 650, feed: Feed = LIVE) -> bytes:
    """A FirstPastThePostStateOfParties over exactly the declared seats given (N = how many)."""

    def code(party: str) -> str:
        return "Others" if party in _SOP_OTHERS else party

    seats: dict[str, int] = {}
    gains: dict[str, int] = {}
    losses: dict[str, int] = {}
    votes: dict[str, int] = {}
    before: dict[str, int] = {}
    for d in declared:
        seats[code(d.winner)] = seats.get(code(d.winner), 0) + 1
        if d.seat.sitting and d.winner != d.seat.sitting:  # the agency's gains: against the sitting party
            gains[code(d.winner)] = gains.get(code(d.winner), 0) + 1
            losses[code(d.seat.sitting)] = losses.get(code(d.seat.sitting), 0) + 1
        for party, n in d.votes.items():
            votes[code(party)] = votes.get(code(party), 0) + n
        for party, n in d.seat.votes_2017.items():
            before[code(party)] = before.get(code(party), 0) + n
    total, total_before = sum(votes.values()), sum(before.values())
    root = [
        ("numberOfResults", len(declared)),
        ("totalNumberOfConstituencies", total_constituencies),
        ("totalVotes", total),
    ]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<FirstPastThePostStateOfParties {_attrs(root)}>",
        "  <Election " + _attrs([("name", feed.name), ("date", feed.date), ("type", ELECTION_TYPE)]) + " />",
        "  <Parties>",
    ]
    parties = sorted((p for p in votes if p != "Others"), key=lambda p: (-seats.get(p, 0), -votes[p], p))
    for party in [*parties, *(["Others"] if "Others" in votes else [])]:
        share = votes[party] * 100.0 / total if total else 0.0
        share_before = before.get(party, 0) * 100.0 / total_before if total_before else None
        if party == "Others":
            abbreviation, name, pa_id = OTHERS
        else:
            abbreviation, name, _ = AGENCY_PARTY[party]
            pa_id = _party_id(party, feed)
        attrs = _attrs(
            [
                ("paId", pa_id),
                ("name", name),
                ("abbreviation", abbreviation),
                # absent, not "0": a party with no seats has no totalSeats
                ("totalSeats", seats.get(party) or None),
                ("gains", gains.get(party) or None),
                ("losses", losses.get(party) or None),
                ("totalVotes", votes[party]),
                ("percentageShare", _pct(share)),
                ("percentageChange", _signed(share - share_before) if share_before is not None else None),
            ]
        )
        lines.append(f"    <Party {attrs} />")
    lines += ["  </Parties>", "  <ConstituenciesIncluded>"]
    for d in sorted(declared, key=lambda d: d.seat.number):
        lines.append(f"    <Constituency {_attrs([('number', d.seat.number), ('name', d.seat.name)])} />")
    lines += ["  </ConstituenciesIncluded>", *_close("FirstPastThePostStateOfParties")]
    return "\n".join(lines).encode("utf-8")
