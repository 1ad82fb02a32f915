"""The night's stories: every message of the replayed 2019 night and the moment it lands.

`plan_night` turns the seats into rushes, recount notices, results and
corrections, each with its landing time, in the agency's real shapes:
votes-only corrections (`result_1` with a mistyped figure, then `result_2`)
and correction chains across kinds (`rush_1` and `result_1` with the wrong
winner, `rush_2` "Correction: ..." naming the right one, `result_3`), one of
them reversing a false flip. `plan_feed` adds what else the agency's feed
carries: nominations for every seat before the first result (a few
corrected by a second revision) and the state of the parties after results
1 to 20 and every fifth after. The votes are the House of Commons Library's
2019 figures; the declaration times, candidate names, recounts and
corrections are invented but deterministic for a given seed. Pure Python:
no database.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from pipeline.rehearsal.agency_xml import (
    FIRST_NAMES,
    LIVE,
    SURNAMES,
    TEST,
    Declared,
    Feed,
    file_name,
    nominations_xml,
    recount_xml,
    result_xml,
    rush_xml,
    sop_file_name,
    state_of_parties_xml,
)
from pipeline.rehearsal.seats import Seat, load_seats, ranked

# Declarations pinned to give the night its 2019 shape (Tyneside and Wearside race
# to be first, St Ives comes last). Times are approximate; UK time = UTC in December.
PINNED_DECLARATIONS: dict[str, datetime] = {
    "Newcastle upon Tyne Central": datetime(2019, 12, 12, 23, 27, tzinfo=UTC),
    "Houghton and Sunderland South": datetime(2019, 12, 12, 23, 30, tzinfo=UTC),
    "Blyth Valley": datetime(2019, 12, 13, 0, 5, tzinfo=UTC),
    "Sunderland Central": datetime(2019, 12, 13, 0, 11, tzinfo=UTC),
    "Washington and Sunderland West": datetime(2019, 12, 13, 0, 18, tzinfo=UTC),
    # Fog kept the Isles of Scilly ballot boxes on the islands overnight.
    "St Ives": datetime(2019, 12, 13, 11, 58, tzinfo=UTC),
}

# Kensington went to recounts in 2019 (and in 2017); it always gets a recount.
REAL_RECOUNTS = ("Kensington",)

_NIGHT = datetime(2019, 12, 13, 0, 0, tzinfo=UTC)  # midnight into the 13th

# (mean hour after midnight, spread in hours) by region; Sunderland and
# Newcastle race to be first, Northern Ireland and rural Scotland count late.
_REGION_CLOCK: dict[str, tuple[float, float]] = {
    "North East": (1.6, 0.7),
    "Northern Ireland": (4.0, 0.7),
    "Scotland": (3.4, 0.9),
    "Wales": (3.0, 0.8),
}
_DEFAULT_CLOCK = (3.1, 0.9)


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


# When the replayed feed publishes the nominations (the real ones come days
# before; here they land before polls close so that a paced replay does not
# spend its time on them) and the second revisions correcting a few.
NOMINATIONS_AT = datetime(2019, 12, 12, 21, 0, tzinfo=UTC)
NOMINATIONS_CORRECTED_AT = datetime(2019, 12, 12, 21, 40, tzinfo=UTC)
NOMINATION_CORRECTIONS = 5


def _is_sop_number(n: int) -> bool:
    """The agency issues the state of the parties after results 1 to 20 and every fifth after."""
    return n <= 20 or n % 5 == 0


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
    """Invented (first name, surname) of each party's 2019 candidate in the seat, stable for a seed."""
    rng = _rng(seed, seat.gss_code, "names")
    names: dict[str, tuple[str, str]] = {}
    surnames = rng.sample(SURNAMES, len(seat.votes))
    for party, surname in zip(sorted(seat.votes), surnames, strict=False):
        names[party] = ("Other", "candidates") if party == "OTH" else (rng.choice(FIRST_NAMES), surname)
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


class Stories(NamedTuple):
    """Which seats (GSS codes) get which story on the night."""

    recounts: list[str]
    false_flips: list[str]  # chains whose rush_2 reverses a flip that never happened
    typos: list[str]  # votes-only corrections: result_1 mistyped, result_2 right
    chains: list[str]  # every correction chain (rush_1, result_1, rush_2, result_3), false flips included


def choose_stories(
    seats: Sequence[Seat],
    *,
    seed: int = 2019,
    corrections: int = 4,
    recounts: int = 4,
    false_flips: int = 1,
    chains: int = 3,
) -> Stories:
    """Pick the recount, chain and votes-only correction seats, deterministically for a seed."""
    if min(corrections, recounts, false_flips, chains) < 0:
        raise ValueError("corrections, recounts, chains and false_flips must not be negative")
    if false_flips > chains:
        raise ValueError("false flips are correction chains too: false_flips must not exceed chains")
    by_majority = sorted(seats, key=lambda s: (s.majority, s.name))
    # Recounts: Kensington (a real one), then the narrowest majorities.
    real = [s for s in seats if s.name in REAL_RECOUNTS]
    recount = [s.gss_code for s in (real + [s for s in by_majority if s not in real])[:recounts]]
    free = [s for s in by_majority if s.gss_code not in recount and s.name not in PINNED_DECLARATIONS]
    # False flips: the narrowest holds (2019 winner = 2017 winner = sitting party), so
    # rush_1 and result_1 show a gain against 2017 and against the agency's sitting party alike.
    holds = [s for s in free if s.winner == s.winner_2017 == s.sitting]
    flips = [s.gss_code for s in holds[:false_flips]]
    taken = set(recount) | set(flips) | {s.gss_code for s in seats if s.name in PINNED_DECLARATIONS}
    pool = sorted(s.gss_code for s in seats if s.gss_code not in taken)
    typos = random.Random(f"{seed}:corrections").sample(pool, min(corrections, len(pool)))
    # The other chains: the narrowest gains whose runner-up held the seat, first
    # flashed and declared as a hold, then corrected to the gain.
    gains = [
        s
        for s in free
        if s.winner != s.winner_2017 and ranked(s.votes)[1] == s.winner_2017 == s.sitting and s.gss_code not in typos
    ]
    chain = flips + [s.gss_code for s in gains[: chains - false_flips]]
    return Stories(recount, flips, sorted(typos), chain)


def _feed(test_feed: bool) -> tuple[Feed, timedelta]:
    """The feed and how far its clock is moved: the TEST feed replays the night on the rehearsal's date."""
    if not test_feed:
        return LIVE, timedelta(0)
    return TEST, datetime.fromisoformat(TEST.date).date() - datetime.fromisoformat(LIVE.date).date()


def plan_night(
    seeds_dir: Path | None = None,
    *,
    seed: int = 2019,
    corrections: int = 4,
    recounts: int = 4,
    false_flips: int = 1,
    chains: int = 3,
    only: Iterable[str] | None = None,
    test_feed: bool = False,
) -> list[Message]:
    """The night's rushes, recounts and results (or only the given seats), in landing order, seeded."""
    seats = load_seats(seeds_dir)
    stories = choose_stories(
        seats, seed=seed, corrections=corrections, recounts=recounts, false_flips=false_flips, chains=chains
    )
    wanted = _wanted(seats, only)
    feed, shift = _feed(test_feed)
    messages: list[Message] = []
    for seat in seats:
        if wanted is not None and seat.gss_code not in wanted:
            continue
        story = "chain" if seat.gss_code in stories.chains else "typo" if seat.gss_code in stories.typos else None
        messages += _seat_messages(seat, seed, seat.gss_code in stories.recounts, story, feed, shift)
    return _in_landing_order(messages)


def plan_feed(
    seeds_dir: Path | None = None,
    *,
    seed: int = 2019,
    only: Iterable[str] | None = None,
    test_feed: bool = False,
    **stories: int,
) -> list[Message]:
    """The night's whole feed: nominations, then `plan_night`'s messages with the states of the parties among them."""
    seats = load_seats(seeds_dir)
    wanted = _wanted(seats, only)
    feed, shift = _feed(test_feed)
    night = plan_night(seeds_dir, seed=seed, only=only, test_feed=test_feed, **stories)
    chosen = [s for s in seats if wanted is None or s.gss_code in wanted]
    return _in_landing_order(_nominations(chosen, seed, feed, shift) + night + _states_of_parties(night, seats, feed))


def _wanted(seats: Sequence[Seat], only: Iterable[str] | None) -> set[str] | None:
    wanted = set(only) if only is not None else None
    if wanted is not None:
        unknown = wanted - {s.gss_code for s in seats}
        if unknown:
            raise ValueError(f"unknown GSS codes: {', '.join(sorted(unknown))}")
    return wanted


_KIND_ORDER = {kind: i for i, kind in enumerate(("nominations", "recount", "rush", "result", "sop", "bad"))}


def _in_landing_order(messages: list[Message]) -> list[Message]:
    return sorted(messages, key=lambda m: (m.at, _KIND_ORDER[m.kind], m.revision, m.file_name))


def _nominations(seats: Sequence[Seat], seed: int, feed: Feed, shift: timedelta) -> list[Message]:
    """Every seat's nominations before the night, and a few second revisions correcting a misspelt surname."""
    out = []
    corrected = set(
        random.Random(f"{seed}:nominations").sample(
            sorted(s.gss_code for s in seats), min(NOMINATION_CORRECTIONS, len(seats))
        )
    )
    for seat in sorted(seats, key=lambda s: s.number):
        names = candidate_names(seat, seed)
        at = NOMINATIONS_AT + shift + timedelta(seconds=2 * seat.number)
        first = names
        if seat.gss_code in corrected:
            party = sorted(p for p in names if p != "OTH")[0]
            given, surname = names[party]
            first = dict(names, **{party: (given, surname[:-1])})  # a letter lost in the first list
            at2 = NOMINATIONS_CORRECTED_AT + shift + timedelta(seconds=2 * seat.number)
            out.append(
                Message(
                    at2,
                    file_name("nominations", seat.name, 2, feed),
                    nominations_xml(seat, names=names, revision=2, feed=feed),
                    "nominations",
                    seat.gss_code,
                    2,
                    folder="nominations",
                )
            )
        out.append(
            Message(
                at,
                file_name("nominations", seat.name, 1, feed),
                nominations_xml(seat, names=first, revision=1, feed=feed),
                "nominations",
                seat.gss_code,
                1,
                folder="nominations",
            )
        )
    return out


def _states_of_parties(night: Sequence[Message], seats: Sequence[Seat], feed: Feed) -> list[Message]:
    """The agency's running totals: after results 1..20 and every 5th, over exactly the seats declared by then."""
    by_gss = {s.gss_code: s for s in seats}
    result: dict[str, Message] = {}  # the seat's highest-revision result so far
    reopened: set[str] = set()  # seats a corrected rush has reopened: out of the totals until their result
    out: list[Message] = []
    issued: set[int] = set()
    i = 0
    while i < len(night):
        at = night[i].at
        while i < len(night) and night[i].at == at:  # everything landing at this instant
            m = night[i]
            if m.kind == "result" and (m.gss_code not in result or m.revision > result[m.gss_code].revision):
                result[m.gss_code] = m
                reopened.discard(m.gss_code)
            elif m.kind == "rush" and m.gss_code in result and m.revision > result[m.gss_code].revision:
                reopened.add(m.gss_code)
            i += 1
        declared = [Declared(by_gss[g], dict(r.votes), r.winner) for g, r in result.items() if g not in reopened]
        n = len(declared)
        if n and n not in issued and _is_sop_number(n):
            issued.add(n)
            # Published between this instant and the next message, so it counts exactly these seats.
            gap = (night[i].at - at) / 2 if i < len(night) else timedelta(seconds=40)
            when = at + min(timedelta(seconds=20), gap)
            out.append(Message(when, sop_file_name(n, feed), state_of_parties_xml(declared, feed=feed), "sop", "", n))
    return out


def _seat_messages(
    seat: Seat, seed: int, recount: bool, story: str | None, feed: Feed, shift: timedelta
) -> list[Message]:
    rng = _rng(seed, seat.gss_code, "story")
    declared = _declaration_time(seat, seed) + shift
    if recount and seat.name not in PINNED_DECLARATIONS:
        declared += timedelta(minutes=rng.randint(60, 150))  # a recount holds the declaration back
    names = candidate_names(seat, seed)
    out: list[Message] = []

    def add(
        kind: str, at: datetime, body: bytes, revision: int = 1, winner: str = "", votes: dict[str, int] | None = None
    ) -> None:
        out.append(
            Message(
                at,
                file_name(kind, seat.name, revision, feed),
                body,
                kind,
                seat.gss_code,
                revision,
                winner=winner,
                votes=tuple(sorted((votes or {}).items())),
            )
        )

    def result(at: datetime, votes: dict[str, int], revision: int) -> None:
        # A correction keeps the declaration's own time; only its landing is later.
        add(
            "result",
            at,
            result_xml(seat, votes, revision=revision, declared_at=declared, names=names, feed=feed),
            revision,
            ranked(votes)[0],
            votes,
        )

    def rush(at: datetime, winner: str, revision: int = 1, correction: bool = False) -> None:
        add(
            "rush",
            at,
            rush_xml(seat, winner=winner, names=names, revision=revision, correction=correction, feed=feed),
            revision,
            winner,
        )

    if recount:
        called = declared - timedelta(minutes=rng.randint(20, 60))
        add("recount", called + timedelta(seconds=rng.randint(5, 50)), recount_xml(seat, feed=feed))
    if story == "chain":
        # The agency's own correction across kinds: the wrong winner flashed and
        # declared (the top two swapped), then a corrected rush with a higher
        # revision naming the right one, then the result with a higher one still.
        wrong = _swapped(seat)
        flashed = declared - timedelta(minutes=rng.randint(1, 5))
        rush(flashed + timedelta(seconds=rng.randint(5, 40)), ranked(wrong)[0])
        landed = declared + timedelta(seconds=rng.randint(10, 55))
        result(landed, wrong, 1)
        corrected = landed + timedelta(minutes=rng.randint(5, 30), seconds=rng.randint(0, 59))
        rush(corrected, seat.winner, 2, correction=True)
        result(corrected + timedelta(minutes=rng.randint(1, 4), seconds=rng.randint(0, 59)), dict(seat.votes), 3)
        return out
    # About 85% of seats get a rush.
    if rng.random() < 0.85:
        flashed = declared - timedelta(minutes=rng.randint(1, 5))
        rush(flashed + timedelta(seconds=rng.randint(5, 40)), seat.winner)
    landed = declared + timedelta(seconds=rng.randint(10, 55))
    if story == "typo":
        result(landed, _mistyped(seat, seed), 1)
        result(landed + timedelta(minutes=rng.randint(5, 30), seconds=rng.randint(0, 59)), dict(seat.votes), 2)
    else:
        result(landed, dict(seat.votes), 1)
    return out


def declaration_order(seed: int, seeds_dir: Path | None = None) -> list[str]:
    """Every seat's GSS code in the order the night's clock model declares them for a seed (no recount delays)."""
    # The projection backtest replays past elections in orders like this one.
    return [s.gss_code for s in sorted(load_seats(seeds_dir), key=lambda s: (_declaration_time(s, seed), s.gss_code))]
