"""One seat's messages as the agency writes them: result, rush, recount notice, nominations.

No `gssCode`, `Constituency@number` the agency's seat number, `declarationTime`
on results only, the previous-election block in every result and nominations
file, rushes naming `winningPartyAbbreviation` with every candidate. The
agency's own figures (`sittingParty`, `gainOrHold`, swing) compare with the
party holding the seat at dissolution (pipeline.rehearsal.seats).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pipeline.rehearsal.agency_format import (
    LIVE,
    TEST_ID_OFFSET,
    Feed,
    abbr,
    attrs,
    close_root,
    iso,
    majority_pct,
    open_root,
    outcome,
    party_line,
    party_name,
    pct,
    share,
    signed,
)
from pipeline.rehearsal.agency_people import sex
from pipeline.rehearsal.agency_previous import previous_election_xml
from pipeline.rehearsal.seats import Seat, ranked

Names = Mapping[str, tuple[str, str]]  # party code -> (first name, surname) of its candidate


def candidate_id(seat: Seat, party: str, feed: Feed = LIVE) -> int:
    """A candidate's paId: stable per seat, party and night; different on the TEST feed."""
    base = feed.candidate_ids + seat.number * 20 + sorted(seat.votes).index(party)
    return base + (TEST_ID_OFFSET if feed.test else 0)


def _surname(last: str, feed: Feed) -> str:
    return f"{last} Test" if feed.test else last


def _sitting_member(seat: Seat, party: str) -> str | None:
    return "*" if party == seat.sitting else None


def _agency_swing(seat: Seat, votes: Mapping[str, int], winner: str) -> list[tuple[str, object | None]]:
    """Agency-style swing: winner against the sitting party (gain) or the runner-up (hold)."""
    other = seat.sitting if seat.sitting and seat.sitting != winner else ranked(votes)[1]
    now_w, now_o = share(votes, winner), share(votes, other)
    then_w, then_o = share(seat.votes_2017, winner), share(seat.votes_2017, other)
    if None in (now_w, now_o, then_w, then_o):  # a party missing from one election: no swing
        return []
    swing = ((now_w - then_w) - (now_o - then_o)) / 2  # type: ignore[operator]
    to, frm = (winner, other) if swing >= 0 else (other, winner)
    return [("swing", pct(abs(swing))), ("swingTo", abbr(to)), ("swingFrom", abbr(frm))]


def _candidate(
    seat: Seat,
    party: str,
    names: Names,
    feed: Feed,
    winner: str | None,
    figures: Sequence[tuple[str, object | None]] = (),
) -> list[str]:
    """A <Candidate> of a result or rush: elected and sitting marks, who, then the party line with any figures."""
    first, last = names[party]
    cand = attrs(
        [
            ("elected", "*" if party == winner else None),
            ("previousSittingMember", _sitting_member(seat, party)),
            ("paId", candidate_id(seat, party, feed)),
            ("sex", sex(first)),
            ("firstName", first),
            ("surname", _surname(last, feed)),
        ]
    )
    return [f"      <Candidate {cand}>", "        " + party_line(party, feed, figures), "      </Candidate>"]


def result_xml(
    seat: Seat, votes: Mapping[str, int], *, revision: int, declared_at: datetime, names: Names, feed: Feed = LIVE
) -> bytes:
    """A FirstPastThePostResult for `seat` with the given (possibly mistyped) votes."""
    order = ranked(votes)
    winner, runner_up = order[0], order[1]
    total = sum(votes.values())
    majority = votes[winner] - votes[runner_up]
    turnout_pct = total * 100.0 / seat.electorate
    base = seat.votes_2017
    base_total = sum(base.values())
    majority_now = majority * 100.0 / total
    before_majority = majority_pct(base) if base else None
    constituency = attrs(
        [
            ("number", seat.number),
            ("name", seat.name),
            ("electorate", seat.electorate),
            ("turnout", total),  # valid votes; the Library data has no rejected ballots
            ("percentageTurnout", pct(turnout_pct)),
            (
                "percentageChangeTurnout",
                signed(turnout_pct - base_total * 100.0 / seat.electorate_2017)
                if base and seat.electorate_2017
                else None,
            ),
            ("winningParty", abbr(winner)),
            ("gainOrHold", outcome(winner, seat.sitting)),
            ("sittingParty", abbr(seat.sitting) if seat.sitting else None),
            ("majority", majority),
            ("percentageMajority", pct(majority_now)),
            (
                "percentageChangeMajority",
                signed(majority_now - before_majority) if before_majority is not None else None,
            ),
            *_agency_swing(seat, votes, winner),
        ]
    )
    lines = open_root("FirstPastThePostResult", [("revision", revision), ("declarationTime", iso(declared_at))], feed)
    lines.append(f"    <Constituency {constituency}>")
    for party in order:
        now, before = share(votes, party), share(base, party)
        figures = [
            ("votes", votes[party]),
            ("percentageShare", pct(now or 0.0)),
            ("percentageShareChange", signed(now - before) if now is not None and before is not None else None),
        ]
        lines += _candidate(seat, party, names, feed, winner, figures)
    lines += [
        "    </Constituency>",
        "  </Election>",
        *previous_election_xml(seat, feed),
        *close_root("FirstPastThePostResult", feed),
    ]
    return "\n".join(lines).encode("utf-8")


def rush_text(seat: Seat, winner: str, *, correction: bool = False) -> str:
    """The rush's paStyleMessageText, e.g. 'Conservative gain Blyth Valley from Labour'."""
    if outcome(winner, seat.sitting) == "hold":
        text = f"{party_name(winner)} hold {seat.name}"
    else:
        text = f"{party_name(winner)} gain {seat.name} from {party_name(seat.sitting)}"
    return f"Correction: {text}" if correction else text


def rush_xml(
    seat: Seat, *, winner: str, names: Names, revision: int = 1, correction: bool = False, feed: Feed = LIVE
) -> bytes:
    """A FirstPastThePostRush flashing `winner` for `seat`, every candidate listed; no declarationTime."""
    gain_or_hold = outcome(winner, seat.sitting)
    constituency = attrs(
        [
            ("number", seat.number),
            ("name", seat.name),
            ("electorate", seat.electorate),
            ("gainOrHold", gain_or_hold),
            ("winningPartyAbbreviation", abbr(winner)),
            ("winningPartyName", party_name(winner)),
            ("sittingPartyAbbreviation", abbr(seat.sitting) if seat.sitting else None),
            ("sittingPartyName", party_name(seat.sitting) if seat.sitting else None),
            ("change", "true" if gain_or_hold == "gain" else "false"),
            ("paStyleMessageText", rush_text(seat, winner, correction=correction)),
        ]
    )
    lines = open_root("FirstPastThePostRush", [("revision", revision)], feed)
    lines.append(f"    <Constituency {constituency}>")
    for party in sorted(seat.votes, key=lambda p: candidate_id(seat, p, feed)):  # the agency lists them by paId
        lines += _candidate(seat, party, names, feed, winner)
    lines += ["    </Constituency>", "  </Election>", *close_root("FirstPastThePostRush", feed)]
    return "\n".join(lines).encode("utf-8")


def recount_xml(seat: Seat, *, recount: int = 1, revision: int = 1, feed: Feed = LIVE) -> bytes:
    """A Recount notice for `seat` (`recount` counts the recounts); its time is the file's."""
    constituency = attrs([("number", seat.number), ("name", seat.name), ("recount", recount)])
    lines = open_root("Recount", [("revision", revision)], feed)
    lines += [f"    <Constituency {constituency} />", "  </Election>", *close_root("Recount", feed)]
    return "\n".join(lines).encode("utf-8")


def nominations_xml(seat: Seat, *, names: Names, revision: int = 1, feed: Feed = LIVE) -> bytes:
    """A FirstPastThePostNominations: the seat's candidates (no votes), then the previous-election block."""
    constituency = attrs([("number", seat.number), ("name", seat.name), ("electorate", seat.electorate)])
    lines = open_root("FirstPastThePostNominations", [("revision", revision)], feed)
    lines.append(f"    <Constituency {constituency}>")
    for party in sorted(seat.votes, key=lambda p: candidate_id(seat, p, feed)):
        first, last = names[party]
        cand = attrs(
            [
                ("paId", candidate_id(seat, party, feed)),
                ("previousSittingMember", _sitting_member(seat, party)),
                ("sex", sex(first)),
                ("firstName", first),
                ("surname", _surname(last, feed)),
            ]
        )
        lines += [f"      <Candidate {cand}>", "        " + party_line(party, feed), "      </Candidate>"]
    lines += [
        "    </Constituency>",
        "  </Election>",
        *previous_election_xml(seat, feed),
        *close_root("FirstPastThePostNominations", feed),
    ]
    return "\n".join(lines).encode("utf-8")
