"""Replay the 2019 general election night into an inbox folder as agency XML.

`plan_night` turns the committed seeds into the night's messages (rushes,
recount notices, results and corrections), each with the moment it lands;
`play` writes them into an inbox, one file per message, at a chosen pace.
Both are pure Python: no database, no Airflow.

The votes are the House of Commons Library's 2019 figures from `seeds/`; the
declaration times, candidate names, recounts and corrections are invented but
deterministic for a given seed. The agency's own figures (`sittingParty`,
`gainOrHold`, swing) follow the agency's habit of comparing with the party
holding the seat at dissolution, not with 2017: the pipeline must not trust
them, and this replay makes sure it cannot.

Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""

from __future__ import annotations

import csv
import os
import random
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"

ELECTION_ID = "parl.2019-12-12"
BASELINE_ID = "parl.2017-06-08"
ELECTION_NAME = "General Election 2019"
ELECTION_DATE = "2019-12-12"
ELECTION_TYPE = "G"
FILE_PREFIX = "General_Election_2019"

KINDS = ("rush", "result", "recount")

PROVENANCE = (
    "Candidate names are invented; votes are the House of Commons Library's 2019 "
    "figures; minor candidates are folded into one 'Other' line as in the Library data"
)

# Canonical party code -> (agency abbreviation, agency party name).
AGENCY_PARTY: dict[str, tuple[str, str]] = {
    "CON": ("C", "Conservative"),
    "LAB": ("Lab", "Labour"),
    "LD": ("LD", "Liberal Democrat"),
    "SNP": ("SNP", "Scottish National Party"),
    "PC": ("PC", "Plaid Cymru"),
    "GRN": ("Green", "Green"),
    "BRX": ("Brexit", "Brexit Party"),
    "UKIP": ("UKIP", "UK Independence Party"),
    "DUP": ("DUP", "Democratic Unionist Party"),
    "SF": ("SF", "Sinn Fein"),
    "SDLP": ("SDLP", "Social Democratic and Labour Party"),
    "UUP": ("UUP", "Ulster Unionist Party"),
    "ALL": ("Alliance", "Alliance"),
    "SPK": ("Speaker", "Speaker"),
    "IND": ("Ind", "Independent"),
    "OTH": ("Oth", "Other"),
}

# The party holding the seat at dissolution (6 November 2019) where it is not
# the 2017 winner. The agency's gain/hold compares with this; the project
# compares with 2017. Not exhaustive (whip withdrawals and moves to
# independent are left out), but enough that the two disagree on the night.
SITTING_AT_DISSOLUTION: dict[str, str] = {
    "Brecon and Radnorshire": "LD",  # Liberal Democrat gain at the August 2019 by-election
    "Chorley": "SPK",  # Lindsay Hoyle elected Speaker in November 2019; Labour in 2017
    "Buckingham": "SPK",  # John Bercow, Speaker in 2017 and until the dissolution
    # MPs who crossed to the Liberal Democrats during 2019
    "Streatham": "LD",  # Chuka Umunna (Labour in 2017)
    "Liverpool, Wavertree": "LD",  # Luciana Berger (Labour in 2017)
    "Penistone and Stocksbridge": "LD",  # Angela Smith (Labour in 2017)
    "Totnes": "LD",  # Sarah Wollaston (Conservative in 2017)
    "South Cambridgeshire": "LD",  # Heidi Allen (Conservative in 2017)
    "Bracknell": "LD",  # Phillip Lee (Conservative in 2017)
    "Eddisbury": "LD",  # Antoinette Sandbach (Conservative in 2017)
    "East Surrey": "LD",  # Sam Gyimah (Conservative in 2017)
}

# Declarations pinned to give the night its 2019 shape (Tyneside and Wearside race
# to be first, St Ives comes last). Times are approximate; UK time = UTC in December.
PINNED_DECLARATIONS: dict[str, datetime] = {
    "Newcastle upon Tyne Central": datetime(2019, 12, 12, 23, 27, tzinfo=timezone.utc),
    "Houghton and Sunderland South": datetime(2019, 12, 12, 23, 30, tzinfo=timezone.utc),
    "Blyth Valley": datetime(2019, 12, 13, 0, 5, tzinfo=timezone.utc),
    "Sunderland Central": datetime(2019, 12, 13, 0, 11, tzinfo=timezone.utc),
    "Washington and Sunderland West": datetime(2019, 12, 13, 0, 18, tzinfo=timezone.utc),
    # Fog kept the Isles of Scilly ballot boxes on the islands overnight.
    "St Ives": datetime(2019, 12, 13, 11, 58, tzinfo=timezone.utc),
}

# Kensington went to recounts in 2019 (and in 2017); it always gets a recount.
REAL_RECOUNTS = ("Kensington",)

_NIGHT = datetime(2019, 12, 13, 0, 0, tzinfo=timezone.utc)  # midnight into the 13th

# (mean hour after midnight, spread in hours) by region; Sunderland and
# Newcastle race to be first, Northern Ireland and rural Scotland count late.
_REGION_CLOCK: dict[str, tuple[float, float]] = {
    "North East": (1.6, 0.7),
    "Northern Ireland": (4.0, 0.7),
    "Scotland": (3.4, 0.9),
    "Wales": (3.0, 0.8),
}
_DEFAULT_CLOCK = (3.1, 0.9)

_FIRST_NAMES = (
    "Aisha", "Alan", "Alice", "Amir", "Andrew", "Angela", "Anna", "Ben", "Bethan",
    "Carol", "Catherine", "Chris", "Claire", "Daniel", "David", "Deborah", "Eilidh",
    "Emma", "Fiona", "Gareth", "Grace", "Hannah", "Harriet", "Ian", "Imran", "James",
    "Jane", "Jo", "John", "Kate", "Kieran", "Laura", "Liam", "Lucy", "Mark", "Mary",
    "Michael", "Nadia", "Neil", "Niamh", "Oliver", "Patrick", "Priya", "Rachel",
    "Rhys", "Richard", "Ruth", "Sarah", "Sean", "Simon", "Sophie", "Stephen",
    "Susan", "Tom", "Una", "Victoria", "William", "Yasmin", "Zoe",
)
_SURNAMES = (
    "Ahmed", "Allen", "Bailey", "Baker", "Begum", "Bell", "Brown", "Campbell",
    "Carter", "Clarke", "Cooper", "Davies", "Doherty", "Edwards", "Evans", "Fraser",
    "Gallagher", "Graham", "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson",
    "James", "Jenkins", "Johnson", "Jones", "Kaur", "Kelly", "Khan", "King", "Lewis",
    "Lloyd", "MacDonald", "McLaughlin", "Mitchell", "Moore", "Morgan", "Murphy",
    "Murray", "O'Neill", "Owen", "Parry", "Patel", "Price", "Reid", "Roberts",
    "Robertson", "Robinson", "Scott", "Shah", "Singh", "Smith", "Stewart", "Taylor",
    "Thomas", "Thompson", "Walker", "Watson", "White", "Williams", "Wilson", "Wright",
    "Young",
)


@dataclass(frozen=True)
class Message:
    """One file of the replayed feed and the moment it lands in the inbox."""

    at: datetime  # when it lands in the inbox on the replayed night (UTC, tz-aware)
    file_name: str
    body: bytes  # the XML
    kind: str  # 'rush' | 'result' | 'recount' | 'bad' (only from bad_files)
    gss_code: str
    revision: int


@dataclass(frozen=True)
class Seat:
    """One constituency's 2019 contest as the seeds give it."""

    gss_code: str
    name: str
    number: int  # agency-style seat number: 1..650 in alphabetical order
    region: str
    country: str
    electorate: int  # electorate_2019
    votes: Mapping[str, int]  # party code -> 2019 votes
    votes_2017: Mapping[str, int]  # party code -> 2017 votes
    sitting: str  # party holding the seat at dissolution, as the agency sees it

    @property
    def winner(self) -> str:
        """The 2019 winner's party code."""
        return winner_of(self.votes)

    @property
    def winner_2017(self) -> str:
        """The 2017 winner's party code (the project's baseline)."""
        return winner_of(self.votes_2017)

    @property
    def majority(self) -> int:
        """Winner's votes minus runner-up's in 2019."""
        top, second = _ranked(self.votes)[:2]
        return self.votes[top] - self.votes[second]


def winner_of(votes: Mapping[str, int]) -> str:
    """The party with most votes (ties go to the first code alphabetically, for determinism)."""
    return _ranked(votes)[0]


def _ranked(votes: Mapping[str, int]) -> list[str]:
    return sorted(votes, key=lambda p: (-votes[p], p))


def _fold(text: str) -> str:
    """ASCII-fold accents: 'Ynys Môn' -> 'Ynys Mon'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(name: str) -> str:
    """A constituency name as it appears in agency file names: ASCII, punctuation to underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", _fold(name)).strip("_")


def file_name(kind: str, constituency: str, revision: int) -> str:
    """The agency file name, e.g. General_Election_2019_result_Norwich_North_1.xml."""
    return f"{FILE_PREFIX}_{kind}_{slug(constituency)}_{revision}.xml"


def _read_votes(path: Path, election_id: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["election_id"] == election_id:
                out.setdefault(row["gss_code"], {})[row["party_code"]] = int(row["votes"])
    return out


def load_seats(seeds_dir: Path | None = None) -> list[Seat]:
    """Every 2019 seat from the seeds, numbered alphabetically."""
    seeds = Path(seeds_dir) if seeds_dir is not None else SEEDS_DIR
    with (seeds / "constituencies.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    votes = _read_votes(seeds / "results_2019.csv", ELECTION_ID)
    votes_2017 = _read_votes(seeds / "results_2017.csv", BASELINE_ID)
    rows.sort(key=lambda r: _fold(r["name"]).casefold())
    seats = []
    for number, row in enumerate(rows, start=1):
        gss = row["gss_code"]
        baseline = votes_2017.get(gss, {})
        sitting = SITTING_AT_DISSOLUTION.get(row["name"]) or (winner_of(baseline) if baseline else "")
        seats.append(
            Seat(
                gss_code=gss,
                name=row["name"],
                number=number,
                region=row["region"],
                country=row["country"],
                electorate=int(row["electorate_2019"]),
                votes=votes[gss],
                votes_2017=baseline,
                sitting=sitting,
            )
        )
    return seats


def winners_2019(seeds_dir: Path | None = None) -> dict[str, str]:
    """The 2019 winner's party code for every seat, by GSS code."""
    return {seat.gss_code: seat.winner for seat in load_seats(seeds_dir)}


# --- XML -------------------------------------------------------------------


def _pct(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _share(votes: Mapping[str, int], party: str) -> float | None:
    total = sum(votes.values())
    return votes[party] * 100.0 / total if party in votes and total else None


def _attrs(pairs: Iterable[tuple[str, object | None]]) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in pairs if v is not None)


def _outcome(winner: str, sitting: str) -> tuple[str, str]:
    """Agency gain/hold and message text against the sitting party."""
    win = AGENCY_PARTY[winner][0].upper()
    if not sitting or winner == sitting:
        return "hold", f"{win} HOLD"
    return "gain", f"{win} GAIN FROM {AGENCY_PARTY[sitting][0].upper()}"


def _agency_swing(seat: Seat, votes: Mapping[str, int], winner: str) -> list[tuple[str, object | None]]:
    """Agency-style swing: winner against the sitting party (gain) or the runner-up (hold)."""
    other = seat.sitting if seat.sitting and seat.sitting != winner else _ranked(votes)[1]
    now_w, now_o = _share(votes, winner), _share(votes, other)
    then_w, then_o = _share(seat.votes_2017, winner), _share(seat.votes_2017, other)
    if None in (now_w, now_o, then_w, then_o):  # a party missing from one election: no swing
        return []
    swing = ((now_w - then_w) - (now_o - then_o)) / 2  # type: ignore[operator]
    to, frm = (winner, other) if swing >= 0 else (other, winner)
    return [("swing", _pct(abs(swing))), ("swingTo", AGENCY_PARTY[to][0]), ("swingFrom", AGENCY_PARTY[frm][0])]


def _header(root: str, root_attrs: str) -> list[str]:
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- {escape(PROVENANCE)} -->",
        f"<{root} {root_attrs}>",
        "  " + "<Election " + _attrs([("name", ELECTION_NAME), ("date", ELECTION_DATE), ("type", ELECTION_TYPE)]) + ">",
    ]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def result_xml(
    seat: Seat,
    votes: Mapping[str, int],
    *,
    revision: int,
    declared_at: datetime,
    names: Mapping[str, tuple[str, str]],
) -> bytes:
    """A FirstPastThePostResult for `seat` with the given (possibly mistyped) votes."""
    ranked = _ranked(votes)
    winner, runner_up = ranked[0], ranked[1]
    total = sum(votes.values())
    majority = votes[winner] - votes[runner_up]
    gain_or_hold, text = _outcome(winner, seat.sitting)
    constituency = _attrs(
        [
            ("name", seat.name),
            ("number", seat.number),
            ("gssCode", seat.gss_code),
            ("electorate", seat.electorate),
            ("turnout", total),  # valid votes; the Library data has no rejected ballots
            ("percentageTurnout", _pct(total * 100.0 / seat.electorate)),
            ("majority", majority),
            ("percentageMajority", _pct(majority * 100.0 / total)),
            ("winningParty", AGENCY_PARTY[winner][0]),
            ("sittingParty", AGENCY_PARTY[seat.sitting][0] if seat.sitting else None),
            ("gainOrHold", gain_or_hold),
            ("paStyleMessageText", text),
            *_agency_swing(seat, votes, winner),
        ]
    )
    root = _attrs([("declarationTime", _iso(declared_at)), ("revision", revision)])
    lines = _header("FirstPastThePostResult", root)
    lines.append(f"    <Constituency {constituency}>")
    for party in ranked:
        first, last = names[party]
        candidate = _attrs([("firstName", first), ("surname", last), ("elected", "*" if party == winner else None)])
        share, before = _share(votes, party), _share(seat.votes_2017, party)
        abbreviation, party_name = AGENCY_PARTY[party]
        party_attrs = _attrs(
            [
                ("abbreviation", abbreviation),
                ("name", party_name),
                ("votes", votes[party]),
                ("percentageShare", _pct(share or 0.0)),
                ("percentageShareChange", _pct(share - before) if share is not None and before is not None else None),
            ]
        )
        lines += [f"      <Candidate {candidate}>", f"        <Party {party_attrs}/>", "      </Candidate>"]
    lines += ["    </Constituency>", "  </Election>", "</FirstPastThePostResult>", ""]
    return "\n".join(lines).encode("utf-8")


def rush_xml(seat: Seat, *, winner: str, flashed_at: datetime) -> bytes:
    """A FirstPastThePostRush flashing `winner` for `seat`."""
    gain_or_hold, text = _outcome(winner, seat.sitting)
    constituency = _attrs(
        [
            ("name", seat.name),
            ("number", seat.number),
            ("gssCode", seat.gss_code),
            ("winningParty", AGENCY_PARTY[winner][0]),
            ("sittingParty", AGENCY_PARTY[seat.sitting][0] if seat.sitting else None),
            ("gainOrHold", gain_or_hold),
            ("paStyleMessageText", text),
        ]
    )
    lines = _header("FirstPastThePostRush", _attrs([("declarationTime", _iso(flashed_at)), ("revision", 1)]))
    lines += [f"    <Constituency {constituency}/>", "  </Election>", "</FirstPastThePostRush>", ""]
    return "\n".join(lines).encode("utf-8")


def recount_xml(seat: Seat, *, called_at: datetime) -> bytes:
    """A Recount notice for `seat`."""
    # declarationTime is an extra attribute (the spec allows unlisted ones): it
    # gives the pipeline the notice's own time instead of the time it was read.
    constituency = _attrs([("name", seat.name), ("number", seat.number), ("gssCode", seat.gss_code)])
    lines = _header("Recount", _attrs([("revision", 1), ("declarationTime", _iso(called_at))]))
    lines += [f"    <Constituency {constituency}/>", "  </Election>", "</Recount>", ""]
    return "\n".join(lines).encode("utf-8")


# --- the night ---------------------------------------------------------------


def _rng(seed: int, *parts: str) -> random.Random:
    # One generator per (seed, seat, purpose): a seat's story does not depend
    # on which other seats are planned or in what order.
    return random.Random(":".join((str(seed), *parts)))


def _declaration_time(seat: Seat, seed: int) -> datetime:
    """When the returning officer declares (whole minutes), before any recount delay."""
    if seat.name in PINNED_DECLARATIONS:
        return PINNED_DECLARATIONS[seat.name]
    rng = _rng(seed, seat.gss_code, "clock")
    if rng.random() < 0.04:  # counts that run into Friday morning
        hours = rng.uniform(5.2, 9.5)
    else:
        mean, spread = _REGION_CLOCK.get(seat.region, _DEFAULT_CLOCK)
        hours = min(max(rng.gauss(mean, spread), 0.4), 5.8)
    return _NIGHT + timedelta(minutes=round(hours * 60))


def _candidate_names(seat: Seat, seed: int) -> dict[str, tuple[str, str]]:
    rng = _rng(seed, seat.gss_code, "names")
    names: dict[str, tuple[str, str]] = {}
    surnames = rng.sample(_SURNAMES, len(seat.votes))
    for party, surname in zip(sorted(seat.votes), surnames):
        names[party] = ("Other", "candidates") if party == "OTH" else (rng.choice(_FIRST_NAMES), surname)
    return names


def _typo(value: int, rng: random.Random) -> int:
    """A plausible keying slip: two adjacent digits swapped, else one digit off by one."""
    digits = list(str(value))
    pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1] and (i or digits[1] != "0")]
    if pairs and rng.random() < 0.6:
        i = rng.choice(pairs)
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
        return int("".join(digits))
    place = 10 ** rng.randrange(1, max(2, len(digits) - 1))  # tens .. second digit
    return max(0, value + rng.choice((-1, 1)) * place)


def _mistyped(seat: Seat, seed: int) -> dict[str, int]:
    """Revision-1 votes with one figure mistyped, the winner unchanged and the totals plausible."""
    rng = _rng(seed, seat.gss_code, "typo")
    true = dict(seat.votes)
    winner = seat.winner
    for _ in range(50):
        party = rng.choice(sorted(true))
        wrong = dict(true, **{party: _typo(true[party], rng)})
        ranked = _ranked(wrong)
        if (
            wrong != true
            and ranked[0] == winner
            and wrong[ranked[0]] > wrong[ranked[1]]
            and sum(wrong.values()) <= seat.electorate
        ):
            return wrong
    # Fallback (not reached with the real figures): the last-placed candidate one vote short.
    last = _ranked(true)[-1]
    return dict(true, **{last: true[last] - 1}) if true[last] > 0 else dict(true, **{winner: true[winner] + 1})


def _swapped(seat: Seat) -> dict[str, int]:
    """Revision-1 votes with the top two candidates' figures swapped: a false change of winner."""
    first, second = _ranked(seat.votes)[:2]
    return dict(seat.votes, **{first: seat.votes[second], second: seat.votes[first]})


def choose_stories(seats: Sequence[Seat], *, seed: int = 2019, corrections: int = 5, recounts: int = 4,
                   false_flips: int = 1) -> tuple[list[str], list[str], list[str]]:
    """Pick (recount, false-flip, other-correction) seats by GSS code, deterministically for a seed."""
    if min(corrections, recounts, false_flips) < 0:
        raise ValueError("corrections, recounts and false_flips must not be negative")
    if false_flips > corrections:
        raise ValueError("false_flips are corrections too: false_flips must not exceed corrections")
    by_majority = sorted(seats, key=lambda s: (s.majority, s.name))
    # Recounts: Kensington (a real one), then the narrowest majorities.
    real = [s for s in seats if s.name in REAL_RECOUNTS]
    recount = [s.gss_code for s in (real + [s for s in by_majority if s not in real])[:recounts]]
    # False flips: the narrowest holds (2019 winner = 2017 winner = sitting party), so
    # revision 1 shows a gain against 2017 and against the agency's sitting party alike.
    holds = [
        s for s in by_majority
        if s.gss_code not in recount and s.name not in PINNED_DECLARATIONS
        and s.winner == s.winner_2017 == s.sitting
    ]
    flips = [s.gss_code for s in holds[:false_flips]]
    taken = set(recount) | set(flips) | {s.gss_code for s in seats if s.name in PINNED_DECLARATIONS}
    pool = sorted(s.gss_code for s in seats if s.gss_code not in taken)
    typos = random.Random(f"{seed}:corrections").sample(pool, min(corrections - false_flips, len(pool)))
    return recount, flips, sorted(typos)


def plan_night(
    seeds_dir: Path | None = None,
    *,
    seed: int = 2019,
    corrections: int = 5,
    recounts: int = 4,
    false_flips: int = 1,
    only: Iterable[str] | None = None,
) -> list[Message]:
    """The whole 2019 night (or only the given gss codes), in landing order, deterministic for a seed."""
    seats = load_seats(seeds_dir)
    recount, flips, typos = choose_stories(
        seats, seed=seed, corrections=corrections, recounts=recounts, false_flips=false_flips
    )
    wanted = set(only) if only is not None else None
    if wanted is not None:
        unknown = wanted - {s.gss_code for s in seats}
        if unknown:
            raise ValueError(f"unknown GSS codes: {', '.join(sorted(unknown))}")
    messages: list[Message] = []
    for seat in seats:
        if wanted is not None and seat.gss_code not in wanted:
            continue
        messages += _seat_messages(seat, seed, seat.gss_code in recount, seat.gss_code in flips,
                                   seat.gss_code in typos)
    order = {kind: i for i, kind in enumerate(("recount", "rush", "result"))}
    messages.sort(key=lambda m: (m.at, order[m.kind], m.revision, m.file_name))
    return messages


def bad_files(messages: Sequence[Message], seeds_dir: Path | None = None) -> list[Message]:
    """Three files a real night also brings, for rehearsing the quarantine (`replay --bad-files`).

    A resend cut off in transfer, an agency test message for a constituency
    that does not exist, and a test message with more votes than electors.
    Each has a name of its own (never a real declaration's, which it would
    overwrite in the inbox) and lands a quarter, half and three quarters of
    the way through the given messages. They carry kind "bad".
    """
    results = [m for m in messages if m.kind == "result"]
    if len(results) < 3:
        return []
    seats = {s.gss_code: s for s in load_seats(seeds_dir)}
    picks = [results[len(results) * i // 4] for i in (1, 2, 3)]
    out = []

    first = picks[0]
    seat = seats[first.gss_code]
    out.append(Message(first.at + timedelta(seconds=7), f"{FILE_PREFIX}_result_{slug(seat.name)}_1_resend.xml",
                       first.body[: len(first.body) * 3 // 5], "bad", seat.gss_code, 1))

    second = picks[1]
    seat = seats[second.gss_code]
    body = second.body.replace(escape(seat.name).encode(), b"Atlantis North").replace(
        seat.gss_code.encode(), b"E14099999")
    out.append(Message(second.at + timedelta(seconds=7), f"{FILE_PREFIX}_result_Atlantis_North_1.xml",
                       body, "bad", "E14099999", 1))

    third = picks[2]
    seat = seats[third.gss_code]
    inflated = dict(seat.votes)
    inflated[seat.winner] += seat.electorate
    names = _candidate_names(seat, 0)
    body = result_xml(seat, inflated, revision=1, declared_at=third.at, names=names)
    out.append(Message(third.at + timedelta(seconds=7), f"{FILE_PREFIX}_result_{slug(seat.name)}_1_test.xml",
                       body, "bad", seat.gss_code, 1))
    return out


def with_bad_files(messages: Sequence[Message], seeds_dir: Path | None = None) -> list[Message]:
    """The messages with `bad_files` slotted in, still in landing order."""
    return sorted([*messages, *bad_files(messages, seeds_dir)], key=lambda m: m.at)  # stable: ties keep their order


def _seat_messages(seat: Seat, seed: int, recount: bool, false_flip: bool, typo: bool) -> list[Message]:
    rng = _rng(seed, seat.gss_code, "story")
    declared = _declaration_time(seat, seed)
    if recount and seat.name not in PINNED_DECLARATIONS:
        declared += timedelta(minutes=rng.randint(60, 150))  # a recount holds the declaration back
    names = _candidate_names(seat, seed)
    out: list[Message] = []

    def add(kind: str, at: datetime, body: bytes, revision: int = 1) -> None:
        out.append(Message(at, file_name(kind, seat.name, revision), body, kind, seat.gss_code, revision))

    if recount:
        called = declared - timedelta(minutes=rng.randint(20, 60))
        add("recount", called + timedelta(seconds=rng.randint(5, 50)), recount_xml(seat, called_at=called))
    # About 85% of seats get a rush. A false-flip seat gets none: the rush and
    # the full result come off the same desk, and a rush flashing the right
    # winner before a result showing the wrong one would give the error away.
    if not false_flip and rng.random() < 0.85:
        flashed = declared - timedelta(minutes=rng.randint(1, 5))
        body = rush_xml(seat, winner=seat.winner, flashed_at=flashed)
        add("rush", flashed + timedelta(seconds=rng.randint(5, 40)), body)
    landed = declared + timedelta(seconds=rng.randint(10, 55))
    if false_flip or typo:
        first = _swapped(seat) if false_flip else _mistyped(seat, seed)
        add("result", landed, result_xml(seat, first, revision=1, declared_at=declared, names=names))
        corrected = landed + timedelta(minutes=rng.randint(5, 30), seconds=rng.randint(0, 59))
        # A correction keeps the declaration's own time; only its landing is later.
        add("result", corrected, result_xml(seat, seat.votes, revision=2, declared_at=declared, names=names), 2)
    else:
        add("result", landed, result_xml(seat, seat.votes, revision=1, declared_at=declared, names=names))
    return out


# --- playing -----------------------------------------------------------------


def write_atomically(inbox: Path, name: str, body: bytes) -> Path:
    """Write one file into `inbox` via a hidden temp file and a rename, so no one sees half of it."""
    target = inbox / name
    tmp = inbox / f".tmp-{os.getpid()}-{name}"
    try:
        with tmp.open("wb") as fh:
            fh.write(body)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def play(
    messages: Sequence[Message],
    inbox: Path,
    *,
    speed: float = 0.0,
    duration: float | None = None,
    progress: bool = True,
    sleep: Callable[[float], object] = time.sleep,
) -> int:
    """Write messages into inbox in landing order at a pace (speed or duration) and return the number written."""
    # speed=1 is real time, 60 sixty times faster, 0 as fast as possible;
    # duration=N compresses the whole night (first to last message) into about N seconds.
    if speed < 0:
        raise ValueError("speed must be 0 (no pacing) or positive")
    if duration is not None and duration <= 0:
        raise ValueError("duration must be positive")
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    if not messages:
        return 0
    start = messages[0].at
    span = (messages[-1].at - start).total_seconds()
    # Real seconds per replayed second; 0 means do not wait at all.
    if duration is not None:
        scale = duration / span if span > 0 else 0.0
    else:
        scale = 1.0 / speed if speed > 0 else 0.0

    bar = _Progress(len(messages), start) if progress else None
    t0 = time.monotonic()
    waited = 0.0  # what we have asked `sleep` for; with a fake sleep, the only clock that moves
    written = 0
    try:
        for message in messages:
            due = (message.at - start).total_seconds() * scale
            remaining = due - max(time.monotonic() - t0, waited)
            while remaining > 0:
                # Sleep in short slices while the bar is up, so its clock keeps ticking.
                step = min(remaining, 1.0) if bar else remaining
                sleep(step)
                waited += step
                remaining -= step
                if bar:
                    bar.clock(start + timedelta(seconds=(due - remaining) / scale))
            write_atomically(inbox, message.file_name, message.body)
            written += 1
            if bar:
                bar.advance(message.at)
    finally:
        if bar:
            bar.stop()
    return written


class _Progress:
    """A rich progress bar that shows the replayed clock; rich is imported only here."""

    def __init__(self, total: int, start: datetime) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TimeElapsedColumn(),
        )
        self._task = self._progress.add_task(self._label(start), total=total)
        self._progress.start()

    @staticmethod
    def _label(moment: datetime) -> str:
        return f"replaying {moment:%a %d %b %H:%M:%S} UTC"

    def clock(self, moment: datetime) -> None:
        self._progress.update(self._task, description=self._label(moment))

    def advance(self, moment: datetime) -> None:
        self._progress.update(self._task, advance=1, description=self._label(moment))

    def stop(self) -> None:
        self._progress.stop()


def declaration_order(seed: int, seeds_dir: Path | None = None) -> list[str]:
    """Every seat's GSS code in the order the night's clock model declares them for a seed (no recount delays)."""
    # The projection backtest replays past elections in orders like this one.
    return [s.gss_code for s in sorted(load_seats(seeds_dir), key=lambda s: (_declaration_time(s, seed), s.gss_code))]
