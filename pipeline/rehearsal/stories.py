"""The night's stories: every message of the replayed 2019 night and the moment it lands.

`plan_night` turns the seats into rushes, recount notices, results and
corrections (a mistyped figure, and a false flip: the top two swapped), each
with its landing time. The votes are the House of Commons Library's 2019
figures; the declaration times, candidate names, recounts and corrections are
invented but deterministic for a given seed. Pure Python: no database.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipeline.rehearsal.agency_xml import file_name, recount_xml, result_xml, rush_xml
from pipeline.rehearsal.seats import Seat, load_seats, ranked

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
    kind: str  # 'rush' | 'result' | 'recount' | 'bad' (only from pipeline.rehearsal.bad_files)
    gss_code: str
    revision: int



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


def candidate_names(seat: Seat, seed: int) -> dict[str, tuple[str, str]]:
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
        order = ranked(wrong)
        if (
            wrong != true
            and order[0] == winner
            and wrong[order[0]] > wrong[order[1]]
            and sum(wrong.values()) <= seat.electorate
        ):
            return wrong
    # Fallback (not reached with the real figures): the last-placed candidate one vote short.
    last = ranked(true)[-1]
    return dict(true, **{last: true[last] - 1}) if true[last] > 0 else dict(true, **{winner: true[winner] + 1})


def _swapped(seat: Seat) -> dict[str, int]:
    """Revision-1 votes with the top two candidates' figures swapped: a false change of winner."""
    first, second = ranked(seat.votes)[:2]
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



def _seat_messages(seat: Seat, seed: int, recount: bool, false_flip: bool, typo: bool) -> list[Message]:
    rng = _rng(seed, seat.gss_code, "story")
    declared = _declaration_time(seat, seed)
    if recount and seat.name not in PINNED_DECLARATIONS:
        declared += timedelta(minutes=rng.randint(60, 150))  # a recount holds the declaration back
    names = candidate_names(seat, seed)
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


def declaration_order(seed: int, seeds_dir: Path | None = None) -> list[str]:
    """Every seat's GSS code in the order the night's clock model declares them for a seed (no recount delays)."""
    # The projection backtest replays past elections in orders like this one.
    return [s.gss_code for s in sorted(load_seats(seeds_dir), key=lambda s: (_declaration_time(s, seed), s.gss_code))]
