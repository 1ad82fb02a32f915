"""The night's feed: every message of a replayed night (2019 by default, or 2024) and the moment it lands.

`plan_night` turns the seats into rushes, recount notices, results and
corrections, each with its landing time, in the agency's real shapes
(pipeline.rehearsal.seat_story, chosen by pipeline.rehearsal.corrections).
`plan_feed` adds what else the agency's feed carries: nominations for every
seat before the first result (a few corrected by a second revision) and the
state of the parties after results 1 to 20 and every fifth after. The votes
are the House of Commons Library's; on the 2019 night the declaration times
are invented but for a few pinned ones, on the 2024 night they are the real
ones where the seeds have them (pipeline.rehearsal.clock). Candidate names,
recounts and corrections are invented but deterministic for a seed. Pure
Python: no database.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.config import load_settings
from pipeline.rehearsal.agency_xml import (
    Declared,
    Feed,
    file_name,
    nominations_xml,
    sop_file_name,
    state_of_parties_xml,
)
from pipeline.rehearsal.clock import declaration_order
from pipeline.rehearsal.corrections import Stories, choose_stories
from pipeline.rehearsal.message import Message, in_landing_order
from pipeline.rehearsal.nights import Night, fixed_times, night_for
from pipeline.rehearsal.seat_story import Plan, candidate_names, seat_messages
from pipeline.rehearsal.seats import ELECTION_ID, Seat, load_seats

__all__ = [
    "Message",
    "Stories",
    "candidate_names",
    "choose_stories",
    "declaration_order",
    "plan_feed",
    "plan_night",
]

NOMINATION_CORRECTIONS = 5  # seats whose nominations a second revision corrects


def _is_sop_number(n: int) -> bool:
    """The agency issues the state of the parties after results 1 to 20 and every fifth after."""
    return n <= 20 or n % 5 == 0


def _plan(seats: Sequence[Seat], night: Night, seeds_dir: Path | None, test_feed: bool) -> Plan:
    """The feed and how far its clock is moved: the TEST feed replays the night on the rehearsal's date."""
    seeds = Path(seeds_dir) if seeds_dir is not None else load_settings().seeds_dir
    fixed = fixed_times(night, seats, seeds)
    if not test_feed:
        return Plan(night, night.live, timedelta(0), fixed)
    shift = datetime.fromisoformat(night.test.date).date() - datetime.fromisoformat(night.live.date).date()
    return Plan(night, night.test, shift, fixed)


def _setup(
    seeds_dir: Path | None, election_id: str, only: Iterable[str] | None, test_feed: bool
) -> tuple[Night, list[Seat], set[str] | None, Plan]:
    """What both plans start from: the night, its seats, the seats asked for (None: all) and the timing."""
    night = night_for(election_id)
    seats = load_seats(seeds_dir, election_id)
    return night, seats, _wanted(seats, only), _plan(seats, night, seeds_dir, test_feed)


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
    election_id: str = ELECTION_ID,
) -> list[Message]:
    """The night's rushes, recounts and results (or only the given seats), in landing order, seeded."""
    night, seats, wanted, plan = _setup(seeds_dir, election_id, only, test_feed)
    counts = {"corrections": corrections, "recounts": recounts, "false_flips": false_flips, "chains": chains}
    stories = choose_stories(seats, seed=seed, night=night, **counts)
    messages: list[Message] = []
    for seat in seats:
        if wanted is not None and seat.gss_code not in wanted:
            continue
        story = "chain" if seat.gss_code in stories.chains else "typo" if seat.gss_code in stories.typos else None
        messages += seat_messages(seat, seed, seat.gss_code in stories.recounts, story, plan)
    return in_landing_order(messages)


def plan_feed(
    seeds_dir: Path | None = None,
    *,
    seed: int = 2019,
    only: Iterable[str] | None = None,
    test_feed: bool = False,
    election_id: str = ELECTION_ID,
    **stories: int,
) -> list[Message]:
    """The night's whole feed: nominations, then `plan_night`'s messages with the states of the parties among them."""
    night, seats, wanted, plan = _setup(seeds_dir, election_id, only, test_feed)
    messages = plan_night(seeds_dir, seed=seed, only=only, test_feed=test_feed, election_id=election_id, **stories)
    chosen = [s for s in seats if wanted is None or s.gss_code in wanted]
    return in_landing_order(
        _nominations(chosen, seed, plan) + messages + _states_of_parties(messages, seats, plan.feed)
    )


def _wanted(seats: Sequence[Seat], only: Iterable[str] | None) -> set[str] | None:
    wanted = set(only) if only is not None else None
    if wanted is not None:
        unknown = wanted - {s.gss_code for s in seats}
        if unknown:
            raise ValueError(f"unknown GSS codes: {', '.join(sorted(unknown))}")
    return wanted


def _nominations(seats: Sequence[Seat], seed: int, plan: Plan) -> list[Message]:
    """Every seat's nominations before the night, and a few second revisions correcting a misspelt surname."""
    feed, night = plan.feed, plan.night
    corrected = set(
        random.Random(f"{seed}:nominations").sample(
            sorted(s.gss_code for s in seats), min(NOMINATION_CORRECTIONS, len(seats))
        )
    )

    def nominations(seat: Seat, at: datetime, names: dict[str, tuple[str, str]], revision: int) -> Message:
        body = nominations_xml(seat, names=names, revision=revision, feed=feed)
        name = file_name("nominations", seat.name, revision, feed)
        return Message(at, name, body, "nominations", seat.gss_code, revision, folder="nominations")

    out = []
    for seat in sorted(seats, key=lambda s: s.number):
        names = candidate_names(seat, seed)
        first = names
        if seat.gss_code in corrected:
            party = sorted(p for p in names if p != "OTH")[0]
            given, surname = names[party]
            first = dict(names, **{party: (given, surname[:-1])})  # a letter lost in the first list
            at2 = night.nominations_corrected_at + plan.shift + timedelta(seconds=2 * seat.number)
            out.append(nominations(seat, at2, names, 2))
        out.append(nominations(seat, night.nominations_at + plan.shift + timedelta(seconds=2 * seat.number), first, 1))
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
