"""Replay past elections through the projection and measure its error and its band's coverage.

Each past election is replayed against its baseline in seeds/elections.csv
(2010->2015, 2015->2017, 2017->2019 on the 2010 boundaries; the notional 2019
results->2024 on the 2024 boundaries) in clock orders and in uniformly random
orders. The 2010-set elections' clock orders are the replay's clock model
(pipeline.rehearsal.stories.declaration_order: the North East first, Northern
Ireland and rural Scotland late); an election with declaration times in
seeds/declaration_times.csv (2024) is declared in the order of those times,
each moved by a seeded N(0, 20 min), the seats without one last. At each
mark the projection is compared with the final House, and, where
seeds/exit_polls.csv has the broadcasters' exit poll, with the exit poll.

`python -m pipeline.backtest_calibrate` derives the band's calibration
(pipeline/calibration/projection_band.csv) from other orders than the ones
the backtest uses, and for each election from the other elections only, so
no backtest figure is scored on what its band was fitted to.
pipeline.backtest_report summarises the points (tables, the exit poll, the plot).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from pipeline import projection as pj
from pipeline.rehearsal.stories import declaration_order

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class Backtested:
    """An election the backtest can replay: its boundary set and the results files of its baseline and its own."""

    boundary_set: str
    baseline_file: str
    results_file: str


def backtest_elections(seeds_dir: Path = SEEDS_DIR) -> dict[str, Backtested]:
    """Every election of seeds/elections.csv with actual results and a baseline with results, by id."""
    from pipeline.seeds import read_elections

    elections = read_elections(seeds_dir)
    return {
        e.election_id: Backtested(e.boundary_set, elections[e.baseline_election_id].results_file, e.results_file)
        for e in elections.values()
        if e.results_file
        and not e.is_notional
        and e.baseline_election_id
        and elections[e.baseline_election_id].results_file
    }


# election being replayed -> its boundary set and results files (2015, 2017, 2019, 2024)
ELECTIONS = backtest_elections()
MARKS = (25, 50, 100, 200, 400)
REPORTED = ("CON", "LAB", "SNP", "LD")
ORDER_KINDS = ("clock", "random")
# The backtest's orders use seeds from BACKTEST_SEED up; the calibration's from CALIBRATION_SEED up.
BACKTEST_SEED, CALIBRATION_SEED = 1_000, 500_000
# Grid the band is calibrated on (and the plot is drawn on).
GRID = (0, 5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 600, 650)


@dataclass(frozen=True)
class Replayed:
    """One past election ready to replay: its baseline, its final shares and seat counts."""

    election: str
    base: pj.Baseline
    final: np.ndarray  # (S, P) shares
    final_seats: np.ndarray  # (P,)


@dataclass(frozen=True)
class Point:
    """The projection for one party at one mark of one replay."""

    election: str
    kind: str  # 'clock' | 'random'
    order: int
    method: str
    declared: int
    party: str
    projected: int
    low: int
    high: int
    final: int

    @property
    def error(self) -> int:
        """Projected minus final seats."""
        return self.projected - self.final

    @property
    def covered(self) -> bool:
        """Whether the band held the final figure."""
        return self.low <= self.final <= self.high


def read_votes_csv(path: Path) -> dict[str, dict[str, int]]:
    """gss_code -> party -> votes from a seeds results_YYYY.csv."""
    out: dict[str, dict[str, int]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["gss_code"], {})[row["party_code"]] = int(row["votes"])
    return out


def read_seats_csv(path: Path, boundary_set: str = "2010") -> list[tuple[str, str, str]]:
    """(gss_code, region, country) rows of one boundary set from seeds/constituencies.csv."""
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            (r["gss_code"], r["region"], r["country"]) for r in csv.DictReader(fh) if r["boundary_set"] == boundary_set
        ]


def read_declaration_times(election: str, seeds_dir: Path = SEEDS_DIR) -> dict[str, datetime]:
    """gss_code -> declaration time of an election from seeds/declaration_times.csv (empty if it has none)."""
    with (seeds_dir / "declaration_times.csv").open(newline="", encoding="utf-8") as fh:
        return {
            r["gss_code"]: datetime.fromisoformat(r["declared_at"].replace("Z", "+00:00"))
            for r in csv.DictReader(fh)
            if r["election_id"] == election
        }


def read_exit_poll(election: str, seeds_dir: Path = SEEDS_DIR) -> dict[str, int]:
    """party -> seats in the broadcasters' exit poll of an election (seeds/exit_polls.csv; empty if none)."""
    with (seeds_dir / "exit_polls.csv").open(newline="", encoding="utf-8") as fh:
        return {r["party_code"]: int(r["seats"]) for r in csv.DictReader(fh) if r["election_id"] == election}


def order_by(codes: Sequence[str], base: pj.Baseline) -> np.ndarray:
    """Row indices of the given GSS codes, in that order."""
    return np.array([base.index[g] for g in codes])


def load_election(election: str, seeds_dir: Path = SEEDS_DIR) -> Replayed:
    """A past election and its baseline from the committed seeds."""
    bt = backtest_elections(seeds_dir)[election]
    base = pj.make_baseline(
        read_seats_csv(seeds_dir / "constituencies.csv", bt.boundary_set), read_votes_csv(seeds_dir / bt.baseline_file)
    )
    votes = read_votes_csv(seeds_dir / bt.results_file)
    final = np.array([pj.shares_of(votes[g]) for g in base.gss_codes])
    return Replayed(election, base, final, np.bincount(np.argmax(final, axis=1), minlength=pj.P))


CLOCK_JITTER_MINUTES = 20.0


def timed_order(times: dict[str, datetime], base: pj.Baseline, seed: int) -> np.ndarray:
    """Row indices in order of the seats' declaration times, each moved by a seeded N(0, 20 min); untimed seats last."""
    rng = np.random.default_rng(seed)
    jitter = rng.normal(0.0, CLOCK_JITTER_MINUTES * 60.0, len(base.gss_codes))
    latest = max(times.values()).timestamp() if times else 0.0
    keys = [(times[g].timestamp() if g in times else latest + 3600.0) + jitter[i] for i, g in enumerate(base.gss_codes)]
    return np.argsort(np.array(keys), kind="stable")


def orders(base: pj.Baseline, kind: str, count: int, first_seed: int, election: str | None = None) -> list[np.ndarray]:
    """`count` declaration orders (row indices) of a kind, deterministic for the seed."""
    if kind == "clock":
        times = read_declaration_times(election) if election else {}
        if times:
            return [timed_order(times, base, first_seed + i) for i in range(count)]
        return [order_by(declaration_order(first_seed + i), base) for i in range(count)]
    return [np.random.default_rng(first_seed + i).permutation(len(base.gss_codes)) for i in range(count)]


def replay(
    r: Replayed,
    order: np.ndarray,
    marks: Iterable[int],
    method: str,
    band: pj.Band,
    kind: str = "clock",
    number: int = 0,
    parties: Sequence[str] = REPORTED,
) -> list[Point]:
    """Project at each mark of one declaration order."""
    out = []
    for mark in marks:
        mask = np.zeros(len(r.base.gss_codes), dtype=bool)
        mask[order[:mark]] = True
        lines = {x.party: x for x in pj.project(r.base, pj.declared_rows(r.base, mask, r.final), band, method)}
        for party in parties:
            final = int(r.final_seats[pj.PARTIES.index(party)])
            x = lines.get(party)
            out.append(
                Point(
                    r.election,
                    kind,
                    number,
                    method,
                    mark,
                    party,
                    x.projected_seats if x else 0,
                    x.low if x else 0,
                    x.high if x else 0,
                    final,
                )
            )
    return out


def run(
    elections: Sequence[str],
    count: int,
    marks: Sequence[int] = MARKS,
    methods: Sequence[str] = pj.METHODS,
    first_seed: int = BACKTEST_SEED,
    band_for: Callable[[str, str], pj.Band] | None = None,
    parties: Sequence[str] = REPORTED,
    tick: Callable[[], None] | None = None,
    kinds: Sequence[str] = ORDER_KINDS,
) -> list[Point]:
    """Every (election, order, method, mark, party) point; band_for(election, method) gives the band to score."""
    band_for = band_for or held_out_band
    points: list[Point] = []
    for election in elections:
        r = load_election(election)
        for kind in kinds:
            for number, order in enumerate(orders(r.base, kind, count, first_seed, election)):
                for method in methods:
                    points += replay(r, order, marks, method, band_for(election, method), kind, number, parties)
                if tick:
                    tick()
    return points


def held_out_band(election: str, method: str, path: Path = pj.CALIBRATION_CSV) -> pj.Band:
    """The band calibrated on the other elections than this one."""
    return pj.load_band(path, method, calibrated_on=others(election))


def others(election: str) -> str:
    """The calibration row set's name for every backtested election but this one ('2017+2019+2024')."""
    return "+".join(e[5:9] for e in ELECTIONS if e != election)
