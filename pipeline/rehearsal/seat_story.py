"""One seat's story on a replayed night: its rush, recount notice, results and corrections, each with its landing.

Votes-only corrections (`result_1` with a mistyped figure, then `result_2`)
and correction chains across kinds (`rush_1` and `result_1` with the wrong
winner, `rush_2` "Correction: ..." naming the right one, `result_3`). The
candidates' names are invented, deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.rehearsal.agency_xml import FIRST_NAMES, SURNAMES, Feed, file_name, recount_xml, result_xml, rush_xml
from pipeline.rehearsal.clock import declaration_time
from pipeline.rehearsal.clock import rng as seeded
from pipeline.rehearsal.corrections import mistyped, swapped
from pipeline.rehearsal.message import Message
from pipeline.rehearsal.nights import Night
from pipeline.rehearsal.seats import Seat, ranked


@dataclass(frozen=True)
class Plan:
    """What every seat's story on one replay shares: the night, its feed, the clock's shift and fixed times."""

    night: Night
    feed: Feed
    shift: timedelta  # the TEST feed replays the night on its rehearsal's date
    fixed: Mapping[str, datetime]  # GSS code -> pinned or real declaration time


def candidate_names(seat: Seat, seed: int) -> dict[str, tuple[str, str]]:
    """Invented (first name, surname) of each party's candidate on the night in the seat, stable for a seed."""
    rng = seeded(seed, seat.gss_code, "names")
    names: dict[str, tuple[str, str]] = {}
    surnames = rng.sample(SURNAMES, len(seat.votes))
    for party, surname in zip(sorted(seat.votes), surnames, strict=False):
        names[party] = ("Other", "candidates") if party == "OTH" else (rng.choice(FIRST_NAMES), surname)
    return names


def seat_messages(seat: Seat, seed: int, recount: bool, story: str | None, plan: Plan) -> list[Message]:
    """One seat's rushes, recount notice and results on the night, for its story (None, 'typo' or 'chain')."""
    feed = plan.feed
    rng = seeded(seed, seat.gss_code, "story")
    declared = declaration_time(seat, seed, plan.night, plan.fixed) + plan.shift
    if recount and seat.gss_code not in plan.fixed:
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
        wrong = swapped(seat)
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
        result(landed, mistyped(seat, seed), 1)
        result(landed + timedelta(minutes=rng.randint(5, 30), seconds=rng.randint(0, 59)), dict(seat.votes), 2)
    else:
        result(landed, dict(seat.votes), 1)
    return out
