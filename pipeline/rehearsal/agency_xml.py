"""The agency XML writer: the mirror of pipeline.parse, writing what it reads.

`result_xml`, `rush_xml` and `recount_xml` write one message each in the
agency's format; tests/unit/test_agency_xml.py checks that pipeline.parse
reads back exactly what was written. The agency's own figures
(`sittingParty`, `gainOrHold`, swing) follow the agency's habit of comparing
with the party holding the seat at dissolution, not with 2017: the pipeline
must not trust them, and this writer makes sure it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

from pipeline.rehearsal.seats import Seat, ascii_fold, ranked

ELECTION_NAME = "General Election 2019"
ELECTION_DATE = "2019-12-12"
ELECTION_TYPE = "G"
FILE_PREFIX = "General_Election_2019"

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


def slug(name: str) -> str:
    """A constituency name as it appears in agency file names: ASCII, punctuation to underscores."""
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_fold(name)).strip("_")


def file_name(kind: str, constituency: str, revision: int) -> str:
    """The agency file name, e.g. General_Election_2019_result_Norwich_North_1.xml."""
    return f"{FILE_PREFIX}_{kind}_{slug(constituency)}_{revision}.xml"



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
    other = seat.sitting if seat.sitting and seat.sitting != winner else ranked(votes)[1]
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
    order = ranked(votes)
    winner, runner_up = order[0], order[1]
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
    for party in order:
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
