"""The past every result and nominations file carries: the agency's `PreviousElection` block, or its notional one.

On a night without a boundary change (2019) the block is the previous
general election, with its candidates (invented names: many did not stand
again). After a boundary change (2024) the agency sends the notional result
on the new boundaries instead: `PreviousNotionalElection`, whose
constituency lists `Party` lines straight under it, no candidates, the
minor parties as one `Others` line (the spec's "Result").
"""

from __future__ import annotations

import random

from pipeline.rehearsal.agency_format import (
    LIVE,
    OTHERS,
    TEST_ID_OFFSET,
    Feed,
    abbr,
    attrs,
    majority_pct,
    party_line,
    pct,
    share,
)
from pipeline.rehearsal.agency_people import FIRST_NAMES, SURNAMES, sex
from pipeline.rehearsal.seats import Seat, ranked

PREVIOUS_CANDIDATE_IDS = 60_000  # where the previous election's candidates' paIds start


def previous_candidate_id(seat: Seat, party: str, feed: Feed = LIVE) -> int:
    """A previous candidate's paId: stable per seat and party; different on the TEST feed."""
    base = PREVIOUS_CANDIDATE_IDS + seat.number * 20 + sorted(seat.votes_2017).index(party)
    return base + (TEST_ID_OFFSET if feed.test else 0)


def previous_names(seat: Seat) -> dict[str, tuple[str, str]]:
    """The previous election's candidates' invented names (not the night's: many did not stand again)."""
    rng = random.Random(f"2017:{seat.number}")
    surnames = rng.sample(SURNAMES, len(seat.votes_2017))
    return {
        p: ("Other", "candidates") if p == "OTH" else (rng.choice(FIRST_NAMES), s)
        for p, s in zip(sorted(seat.votes_2017), surnames, strict=False)
    }


def previous_election_xml(seat: Seat, feed: Feed = LIVE) -> list[str]:
    """The block (previous general election, or notional result) that results and nominations carry."""
    base = seat.votes_2017
    if not base:
        return []
    order = ranked(base)
    total = sum(base.values())
    con = attrs(
        [
            ("number", seat.number),
            ("name", seat.name),
            ("turnout", total),
            ("percentageTurnout", pct(total * 100.0 / seat.electorate_2017) if seat.electorate_2017 else None),
            ("winningParty", abbr(order[0])),
            ("majority", base[order[0]] - base[order[1]] if len(order) > 1 else None),
            ("percentageMajority", pct(majority_pct(base)) if len(order) > 1 else None),  # type: ignore[arg-type]
        ]
    )
    previous = feed.previous
    lines = [
        f"  <{previous.tag} {attrs([('name', previous.name), ('date', previous.date), ('type', previous.kind)])}>",
        f"    <Constituency {con}>",
    ]
    lines += _notional_parties(seat, feed) if previous.notional else _previous_candidates(seat, feed)
    lines += ["    </Constituency>", f"  </{previous.tag}>"]
    return lines


def _figures(votes: int, total_share: float | None) -> list[tuple[str, object | None]]:
    return [("votes", votes), ("percentageShare", pct(total_share or 0.0))]


def _previous_candidates(seat: Seat, feed: Feed) -> list[str]:
    base = seat.votes_2017
    names = previous_names(seat)
    lines = []
    for party in ranked(base):
        first, last = names[party]
        cand = attrs(
            [
                ("paId", previous_candidate_id(seat, party, feed)),
                ("firstName", first),
                ("surname", last),
                ("sex", sex(first)),
            ]
        )
        lines += [
            f"      <Candidate {cand}>",
            "        " + party_line(party, feed, _figures(base[party], share(base, party))),
            "      </Candidate>",
        ]
    return lines


def _notional_parties(seat: Seat, feed: Feed) -> list[str]:
    base = seat.votes_2017
    lines = [
        "      " + party_line(party, feed, _figures(base[party], share(base, party)))
        for party in ranked(base)
        if party != "OTH"
    ]
    if "OTH" in base:  # the minor parties' line: the agency's Others pseudo-party
        abbreviation, name, pa_id = OTHERS
        figures = _figures(base["OTH"], share(base, "OTH"))
        lines.append(
            f"      <Party {attrs([('paId', pa_id), ('name', name), ('abbreviation', abbreviation), *figures])} />"
        )
    return lines
