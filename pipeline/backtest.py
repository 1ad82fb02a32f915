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

`python -m pipeline.backtest --calibrate` derives the band's calibration
(pipeline/calibration/projection_band.csv) from other orders than the ones
the backtest uses, and for each election from the other two elections only,
so no backtest figure is scored on what its band was fitted to.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline import projection as pj
from pipeline.rehearsal.stories import declaration_order

if TYPE_CHECKING:
    from rich.table import Table

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
    return pj.load_band(path, method, calibrated_on=_others(election))


def _others(election: str) -> str:
    return "+".join(e[5:9] for e in ELECTIONS if e != election)


# --- calibration -------------------------------------------------------------

_NO_BAND = pj.Band(np.array([0, 650]), np.array([0.0, 0.0]))
COVERAGE = 0.80
_CALIBRATED = [pj.PARTIES.index(p) for p in REPORTED]


def calibrate(count: int = 20, tick: Callable[[], None] | None = None) -> list[dict[str, str]]:
    """Band rows (method, calibrated_on, declared_count, q) for every held-out set and for 'all'."""
    # z = |error| / sqrt(1 + marginal seats) for CON, LAB, SNP and LD, pooled
    # over parties and orders; q is its 80th percentile at each mark.
    z: dict[tuple[str, str], dict[int, list[float]]] = {}
    for election in ELECTIONS:
        r = load_election(election)
        for kind in ORDER_KINDS:
            for order in orders(r.base, kind, count, CALIBRATION_SEED, election):
                for method in pj.METHODS:
                    per = z.setdefault((election, method), {m: [] for m in GRID})
                    for mark in GRID:
                        mask = np.zeros(len(r.base.gss_codes), dtype=bool)
                        mask[order[:mark]] = True
                        d = pj.declared_rows(r.base, mask, r.final)
                        _, projected, marginal = pj.seat_counts(r.base, d, method)
                        per[mark] += (np.abs(projected - r.final_seats) / np.sqrt(1 + marginal))[_CALIBRATED].tolist()
                if tick:
                    tick()
    rows = []
    for method in pj.METHODS:
        for held_out in [*ELECTIONS, None]:
            used = [e for e in ELECTIONS if e != held_out]
            name = "all" if held_out is None else _others(held_out)
            for mark in GRID:
                values = np.concatenate([z[(e, method)][mark] for e in used])
                q = float(np.quantile(values, COVERAGE)) if mark < GRID[-1] else 0.0
                rows.append({"method": method, "calibrated_on": name, "declared_count": str(mark), "q": f"{q:.4f}"})
    return rows


def write_calibration(rows: Sequence[dict[str, str]], path: Path = pj.CALIBRATION_CSV) -> None:
    """Write the band calibration CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["method", "calibrated_on", "declared_count", "q"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


# --- beside the exit poll ----------------------------------------------------

FINE_MARKS = tuple(range(5, 651, 5))


@dataclass(frozen=True)
class ExitPollComparison:
    """One party of an election's exit poll beside the projection's clock-order replays."""

    party: str
    exit_poll: int
    final: int
    median_error: dict[int, float]  # mark -> median |projected - final| over the orders
    beats_after: int | None  # the first mark from which the projection's median error stays under the exit poll's

    @property
    def exit_poll_error(self) -> int:
        """The exit poll's absolute seat error."""
        return abs(self.exit_poll - self.final)


def exit_poll_comparison(
    points: Sequence[Point], exit_poll: dict[str, int], method: str = pj.REGRESSION, kind: str = "clock"
) -> list[ExitPollComparison]:
    """Per exit-poll party: the projection's median error at each mark and when it beats the poll for good."""
    out = []
    for party, seats in exit_poll.items():
        sel = [p for p in points if p.party == party and p.method == method and p.kind == kind]
        if not sel:
            continue
        final = sel[0].final
        marks = sorted({p.declared for p in sel})
        err = {m: median_abs_error(p for p in sel if p.declared == m) for m in marks}
        # "Beats" means from that mark on: a lucky early mark followed by a
        # worse one does not count.
        beats = None
        for m in reversed(marks):
            if err[m] < abs(seats - final):
                beats = m
            else:
                break
        out.append(ExitPollComparison(party, seats, final, err, beats))
    return out


def exit_poll_table(election: str, rows: Sequence[ExitPollComparison], marks: Sequence[int] = MARKS) -> Table:
    """A rich table: the exit poll's error beside the projection's, and when the projection beats it."""
    from rich.table import Table

    t = Table(title=f"{election}: the exit poll beside the projection ({pj.REGRESSION}, clock orders, median |error|)")
    for col in ("party", "exit poll", "final", "exit poll error", *(f"N={m}" for m in marks), "beats it from N="):
        t.add_column(col, justify="left" if col == "party" else "right")
    for r in rows:
        t.add_row(
            r.party,
            str(r.exit_poll),
            str(r.final),
            str(r.exit_poll_error),
            *(f"{r.median_error[m]:g}" if m in r.median_error else "" for m in marks),
            str(r.beats_after) if r.beats_after is not None else "never",
        )
    return t


# --- summaries ---------------------------------------------------------------


def median_abs_error(points: Iterable[Point]) -> float:
    """Median absolute seat error of the points."""
    errors = [abs(p.error) for p in points]
    return float(np.median(errors)) if errors else float("nan")


def coverage(points: Iterable[Point]) -> float:
    """Share of points whose band held the final figure."""
    held = [p.covered for p in points]
    return float(np.mean(held)) if held else float("nan")


def _mean(values: Iterable[float]) -> float:
    return float(np.mean(list(values)))


def _pct_pair(values: Iterable[float]) -> str:
    a, b = values
    return f"{a:.0%}"[:-1] + f"→{b:.0%}"


def tables(points: Sequence[Point], marks: Sequence[int] = MARKS) -> list:
    """Rich tables: per election and on average, median absolute error and band coverage, both methods."""
    from rich.table import Table

    elections = sorted({p.election for p in points})
    out = []

    def cell(sel: list[Point], mark: int) -> str:
        a, b = (median_abs_error(p for p in sel if p.method == m and p.declared == mark) for m in pj.METHODS)
        style = "green" if b < a else "red" if b > a else ""
        return f"{a:g}→[{style}]{b:g}[/]" if style else f"{a:g}→{b:g}"

    for election in elections:
        t = Table(
            title=f"{election}: median absolute seat error after N declared, {pj.UNIFORM}→{pj.REGRESSION}",
            caption="band held: share of orders and marks whose 80% band held the final figure",
        )
        t.add_column("party")
        t.add_column("orders")
        for mark in marks:
            t.add_column(f"N={mark}", justify="right")
        t.add_column("band held", justify="right")
        for party in REPORTED:
            for kind in ORDER_KINDS:
                sel = [p for p in points if p.election == election and p.party == party and p.kind == kind]
                if not sel:
                    continue
                held = _pct_pair(coverage(p for p in sel if p.method == m and p.declared in marks) for m in pj.METHODS)
                t.add_row(party, kind, *(cell(sel, mark) for mark in marks), held)
        out.append(t)

    t = Table(
        title=f"Over {len(elections)} election(s), CON LAB SNP LD: mean of median abs error, and band coverage;"
        f" {pj.UNIFORM}→{pj.REGRESSION}"
    )
    t.add_column("measure")
    t.add_column("orders")
    for mark in marks:
        t.add_column(f"N={mark}", justify="right")
    t.add_column("all", justify="right")
    for kind in ORDER_KINDS:
        row = []
        for mark in [*marks, None]:
            vals = []
            for m in pj.METHODS:
                vals.append(
                    _mean(
                        median_abs_error(
                            p
                            for p in points
                            if p.election == e
                            and p.party == party
                            and p.kind == kind
                            and p.method == m
                            and (mark is None and p.declared in marks or p.declared == mark)
                        )
                        for e in elections
                        for party in REPORTED
                    )
                )
            row.append(f"{vals[0]:.1f}→[{'green' if vals[1] < vals[0] else 'red'}]{vals[1]:.1f}[/]")
        t.add_row("error", kind, *row)
    for kind in (*ORDER_KINDS, "both"):
        row = []
        for mark in [*marks, None]:
            row.append(
                _pct_pair(
                    coverage(
                        p
                        for p in points
                        if p.method == m
                        and kind in (p.kind, "both")
                        and (p.declared == mark if mark else p.declared in marks)
                    )
                    for m in pj.METHODS
                )
            )
        t.add_row("band held", kind, *row)
    out.append(t)
    return out


def plot(points: Sequence[Point], path: Path) -> None:
    """PNG of mean (over elections and parties) median absolute error against seats declared."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    elections = sorted({p.election for p in points})
    marks = sorted({p.declared for p in points if p.declared >= 10})  # log axis: from ten declared
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, kind in zip(axes, ORDER_KINDS, strict=True):
        for method, style in zip(pj.METHODS, ("--", "-"), strict=True):
            ys = [
                _mean(
                    median_abs_error(
                        p
                        for p in points
                        if p.kind == kind
                        and p.method == method
                        and p.declared == mark
                        and p.election == e
                        and p.party == party
                    )
                    for e in elections
                    for party in REPORTED
                )
                for mark in marks
            ]
            ax.plot(marks, ys, style, marker="o", markersize=3, label=method)
        ax.set_title(f"{kind} orders" + (" (clock model)" if kind == "clock" else " (uniformly random)"))
        ax.set_xscale("log")
        ax.set_xticks([10, 25, 50, 100, 200, 400, 650], ["10", "25", "50", "100", "200", "400", "650"])
        ax.set_xlabel("seats declared (log scale)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("median |projected - final| seats")
    axes[0].legend()
    fig.suptitle("Projection backtest: " + ", ".join(e[5:9] for e in elections) + " (mean of CON, LAB, SNP, LD)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, metadata={"Software": None})  # no version stamp: reruns give the same file
    plt.close(fig)


if __name__ == "__main__":
    if sys.argv[1:] == ["--calibrate"]:  # every backtested election: 2015, 2017, 2019 and 2024
        write_calibration(calibrate())
        print(f"wrote {pj.CALIBRATION_CSV}")
    else:
        raise SystemExit(
            "usage: python -m pipeline.backtest --calibrate   (the backtest itself: resultsnight backtest)"
        )
