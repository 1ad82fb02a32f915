"""The agency's state of the parties: its running totals over exactly the seats it has counted.

Its gains and losses are against the party holding each seat at dissolution
(pipeline.rehearsal.seats): after a boundary change, the notional winner, as
the project counts them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.rehearsal.agency_format import (
    AGENCY_PARTY,
    ELECTION_TYPE,
    LIVE,
    OTHERS,
    Feed,
    attrs,
    close_root,
    party_id,
    pct,
    signed,
)
from pipeline.rehearsal.seats import Seat

# Minor candidates are folded into one line in the Library's data: in the
# state of the parties they are the agency's Others.
_SOP_OTHERS = {"OTH"}


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
        f"<FirstPastThePostStateOfParties {attrs(root)}>",
        "  <Election " + attrs([("name", feed.name), ("date", feed.date), ("type", ELECTION_TYPE)]) + " />",
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
            pa_id = party_id(party, feed)
        line = attrs(
            [
                ("paId", pa_id),
                ("name", name),
                ("abbreviation", abbreviation),
                # absent, not "0": a party with no seats has no totalSeats
                ("totalSeats", seats.get(party) or None),
                ("gains", gains.get(party) or None),
                ("losses", losses.get(party) or None),
                ("totalVotes", votes[party]),
                ("percentageShare", pct(share)),
                ("percentageChange", signed(share - share_before) if share_before is not None else None),
            ]
        )
        lines.append(f"    <Party {line} />")
    lines += ["  </Parties>", "  <ConstituenciesIncluded>"]
    for d in sorted(declared, key=lambda d: d.seat.number):
        lines.append(f"    <Constituency {attrs([('number', d.seat.number), ('name', d.seat.name)])} />")
    lines += ["  </ConstituenciesIncluded>", *close_root("FirstPastThePostStateOfParties", feed)]
    return "\n".join(lines).encode("utf-8")
