"""Summarise backtest points (pipeline.backtest): error and band coverage tables, the exit poll beside them, a plot."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline import projection as pj
from pipeline.backtest import MARKS, ORDER_KINDS, REPORTED, Point

if TYPE_CHECKING:
    from rich.table import Table

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


def mean_error(points: Sequence[Point], kind: str, method: str, marks: Collection[int]) -> float:
    """Mean over elections and the reported parties of the median absolute error at the given marks."""
    elections = sorted({p.election for p in points})
    return float(
        np.mean(
            [
                median_abs_error(
                    p
                    for p in points
                    if p.election == e
                    and p.party == party
                    and p.kind == kind
                    and p.method == method
                    and p.declared in marks
                )
                for e in elections
                for party in REPORTED
            ]
        )
    )


def _pct_pair(values: Iterable[float]) -> str:
    a, b = values
    return f"{a:.0%}"[:-1] + f"→{b:.0%}"


def _marks_table(title: str, first: Sequence[str], marks: Sequence[int], last: str) -> Table:
    """An empty rich table: the first columns, one right-aligned column per mark, and a last one."""
    from rich.table import Table

    t = Table(title=title)
    for col in first:
        t.add_column(col)
    for mark in marks:
        t.add_column(f"N={mark}", justify="right")
    t.add_column(last, justify="right")
    return t


def tables(points: Sequence[Point], marks: Sequence[int] = MARKS) -> list:
    """Rich tables: per election and on average, median absolute error and band coverage, both methods."""
    elections = sorted({p.election for p in points})
    out = []

    def cell(sel: list[Point], mark: int) -> str:
        a, b = (median_abs_error(p for p in sel if p.method == m and p.declared == mark) for m in pj.METHODS)
        style = "green" if b < a else "red" if b > a else ""
        return f"{a:g}→[{style}]{b:g}[/]" if style else f"{a:g}→{b:g}"

    for election in elections:
        t = _marks_table(
            f"{election}: median absolute seat error after N declared, {pj.UNIFORM}→{pj.REGRESSION}",
            ("party", "orders"),
            marks,
            "band held",
        )
        t.caption = "band held: share of orders and marks whose 80% band held the final figure"
        for party in REPORTED:
            for kind in ORDER_KINDS:
                sel = [p for p in points if p.election == election and p.party == party and p.kind == kind]
                if not sel:
                    continue
                held = _pct_pair(coverage(p for p in sel if p.method == m and p.declared in marks) for m in pj.METHODS)
                t.add_row(party, kind, *(cell(sel, mark) for mark in marks), held)
        out.append(t)

    t = _marks_table(
        f"Over {len(elections)} election(s), CON LAB SNP LD: mean of median abs error, and band coverage;"
        f" {pj.UNIFORM}→{pj.REGRESSION}",
        ("measure", "orders"),
        marks,
        "all",
    )
    for kind in ORDER_KINDS:
        row = []
        for mark in [*marks, None]:
            vals = [mean_error(points, kind, m, marks if mark is None else (mark,)) for m in pj.METHODS]
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
            ys = [mean_error(points, kind, method, (mark,)) for mark in marks]
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
