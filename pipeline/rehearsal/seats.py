"""The seats of a replayed night (2019 by default, or 2024), read from the committed seeds (no database).

Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import load_settings
from pipeline.exceptions import ConfigurationError
from pipeline.seeds import read_elections

ELECTION_ID = "parl.2019-12-12"  # the default night; its baseline and boundaries come from seeds/elections.csv

# The party holding the seat at dissolution (6 November 2019) where it is not
# the 2017 winner. The agency's gain/hold compares with this; the project
# compares with 2017. Not exhaustive (whip withdrawals and moves to
# independent are left out), but enough that the two disagree on the night.
_SITTING_2019: dict[str, str] = {
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
# After a boundary change (2024) the agency compares with the notional winner,
# as the project does: no seat is held by another party on its new boundaries.
SITTING_AT_DISSOLUTION: dict[str, dict[str, str]] = {ELECTION_ID: _SITTING_2019}


@dataclass(frozen=True)
class Seat:
    """One constituency's contest on the replayed night as the seeds give it (2019 unless loaded for another)."""

    gss_code: str
    name: str
    number: int  # agency-style seat number: 1..650 in alphabetical order
    region: str
    country: str
    electorate: int  # its electorate on the night (seeds/contests.csv)
    votes: Mapping[str, int]  # party code -> votes on the night
    # The baseline's figures: 2017 on the 2019 night, the notional 2019 ones on the 2024 night.
    votes_2017: Mapping[str, int]  # party code -> baseline votes
    sitting: str  # party holding the seat at dissolution, as the agency sees it
    electorate_2017: int = 0  # the baseline's electorate (seeds/contests.csv): the agency's change in turnout

    @property
    def winner(self) -> str:
        """The winner's party code on the night."""
        return winner_of(self.votes)

    @property
    def winner_2017(self) -> str:
        """The baseline's winner's party code (2017 on the 2019 night)."""
        return winner_of(self.votes_2017)

    @property
    def majority(self) -> int:
        """Winner's votes minus runner-up's on the night."""
        top, second = ranked(self.votes)[:2]
        return self.votes[top] - self.votes[second]


def winner_of(votes: Mapping[str, int]) -> str:
    """The party with most votes (ties go to the first code alphabetically, for determinism)."""
    return ranked(votes)[0]


def ranked(votes: Mapping[str, int]) -> list[str]:
    return sorted(votes, key=lambda p: (-votes[p], p))


def ascii_fold(text: str) -> str:
    """ASCII-fold accents: 'Ynys Môn' -> 'Ynys Mon'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _read_votes(path: Path, election_id: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["election_id"] == election_id:
                out.setdefault(row["gss_code"], {})[row["party_code"]] = int(row["votes"])
    return out


def load_seats(seeds_dir: Path | None = None, election_id: str = ELECTION_ID) -> list[Seat]:
    """Every seat of the election (2019 by default) from the seeds, numbered alphabetically, with its baseline."""
    seeds = Path(seeds_dir) if seeds_dir is not None else load_settings().seeds_dir
    election = read_elections(seeds)[election_id]
    baseline_id = election.baseline_election_id or ""
    if not election.results_file or not baseline_id:
        raise ConfigurationError(
            f"{election_id} has no results or no baseline in seeds/elections.csv: nothing to replay"
        )
    baseline_file = read_elections(seeds)[baseline_id].results_file or ""
    with (seeds / "contests.csv").open(newline="", encoding="utf-8") as fh:
        contests = list(csv.DictReader(fh))
    electorate = {r["gss_code"]: int(r["electorate"]) for r in contests if r["election_id"] == election_id}
    electorate_before = {r["gss_code"]: int(r["electorate"]) for r in contests if r["election_id"] == baseline_id}
    with (seeds / "constituencies.csv").open(newline="", encoding="utf-8") as fh:
        rows = [
            r for r in csv.DictReader(fh) if r["gss_code"] in electorate and r["boundary_set"] == election.boundary_set
        ]
    votes = _read_votes(seeds / election.results_file, election_id)
    votes_before = _read_votes(seeds / baseline_file, baseline_id)
    sitting_at_dissolution = SITTING_AT_DISSOLUTION.get(election_id, {})
    rows.sort(key=lambda r: ascii_fold(r["name"]).casefold())
    seats = []
    for number, row in enumerate(rows, start=1):
        gss = row["gss_code"]
        baseline = votes_before.get(gss, {})
        sitting = sitting_at_dissolution.get(row["name"]) or (winner_of(baseline) if baseline else "")
        seats.append(
            Seat(
                gss_code=gss,
                name=row["name"],
                number=number,
                region=row["region"],
                country=row["country"],
                electorate=electorate[gss],
                votes=votes[gss],
                votes_2017=baseline,
                sitting=sitting,
                electorate_2017=electorate_before.get(gss, 0),
            )
        )
    return seats


def winners_2019(seeds_dir: Path | None = None) -> dict[str, str]:
    """The 2019 winner's party code for every seat, by GSS code."""
    return {seat.gss_code: seat.winner for seat in load_seats(seeds_dir)}
