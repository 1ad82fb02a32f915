"""The console summary (`resultsnight summary`): an ingest run's summary and the night's picture as readable tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, Row

from pipeline.db import sql
from pipeline.ingest import IngestSummary
from pipeline.model import Outcome, SeatStatus
from pipeline.watchlists import load_watch_lists

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


@dataclass(frozen=True)
class WatchListFigures:
    """One configured watch list as shown: its heading and its seats."""

    heading: str
    seats: list[Row]  # constituency, baseline party, majority, swing needed %, winner now, outcome


@dataclass(frozen=True)
class NightFigures:
    """Everything the summary, the report and the board show, read in one go."""

    status: dict[str, int]  # seat_status.status -> seats
    tally: list[Row]
    flips: list[Row]
    watch_lists: list[WatchListFigures]
    alerts: list[Row]
    quarantine: list[Row]
    seats: list[Row]
    baseline_label: str  # how titles name the baseline election, e.g. "2017"
    # results.projection: party, declared, projected, low, high, count, method
    projection: list[Row] = field(default_factory=list)
    nominations: Row | None = None  # seats and candidates from the agency's nominations
    agency_check: list[Row] = field(default_factory=list)  # the agency's latest state of the parties beside ours
    corrections: list[Row] = field(default_factory=list)  # seats whose correction chain crossed message kinds

    @property
    def declared(self) -> int:
        """Seats with a stored result."""
        return self.status.get(SeatStatus.DECLARED, 0)

    @property
    def headline(self) -> str:
        """'N of 650 seats declared', plus the other statuses."""
        rest = ", ".join(f"{k} {v}" for k, v in sorted(self.status.items()) if k != SeatStatus.DECLARED)
        return f"{self.declared} of {sum(self.status.values())} seats declared" + (f"; {rest}" if rest else "")


def night_figures(engine: Engine, limit_flips: int = 1000, seeds_dir: Path | None = None) -> NightFigures:
    """Read the night's figures from the analyst views, with the watch lists of seeds_dir (default: the settings')."""
    if seeds_dir is None:
        from pipeline.config import load_settings

        seeds_dir = load_settings().seeds_dir
    with engine.connect() as conn:
        counting = conn.execute(sql("queries/board/count_setting")).one().counting_election_id
        watch_lists = load_watch_lists(seeds_dir, counting)
        label = str(conn.execute(sql("queries/summary/baseline_label")).scalar_one())
        return NightFigures(
            status={k: v for k, v in conn.execute(sql("queries/summary/status"))},
            tally=conn.execute(sql("queries/summary/tally")).all(),
            flips=conn.execute(sql("queries/summary/flips"), {"limit": limit_flips}).all(),
            watch_lists=[WatchListFigures(w.heading(label), w.seats(conn)) for w in watch_lists],
            alerts=conn.execute(sql("queries/summary/alerts")).all(),
            quarantine=conn.execute(sql("queries/summary/quarantine")).all(),
            seats=conn.execute(sql("queries/summary/board_seats")).all(),
            baseline_label=label,
            projection=conn.execute(sql("queries/summary/projection")).all(),
            nominations=conn.execute(sql("queries/summary/nominations")).one(),
            agency_check=conn.execute(sql("queries/summary/agency_check")).all(),
            corrections=conn.execute(sql("queries/summary/corrections")).all(),
        )


def _console():
    from rich.console import Console

    return Console()


def print_ingest_summary(summary: IngestSummary) -> None:
    """Counts per outcome, then every quarantined or superseded file with its reason."""
    from rich.table import Table
    from rich.text import Text

    console = _console()
    # Those columns only when needed.
    counts = {k: v for k, v in summary.counts.items() if k not in (Outcome.UNREADABLE, Outcome.WAITING) or v}
    table = Table(title=f"ingested {len(summary.files)} files in {summary.seconds:.2f} s")
    for name in counts:
        table.add_column(name, justify="right")
    table.add_row(*(f"{v:,}" for v in counts.values()))
    console.print(table)
    problems = [
        f
        for f in summary.files
        if f.outcome in (Outcome.QUARANTINED, Outcome.SUPERSEDED, Outcome.UNREADABLE, Outcome.WAITING)
        or f.unknown_parties
        or f.archive_error
    ]
    if problems:
        detail = Table(title="files needing a look", show_lines=False)
        detail.add_column("file", overflow="fold")
        detail.add_column("outcome")
        detail.add_column("reason", overflow="fold")
        for f in problems:
            reason = f.reason or ""
            if f.unknown_parties:
                reason = (
                    (reason + "; " if reason else "")
                    + "unknown parties counted as OTH: "
                    + ", ".join(f.unknown_parties)
                )
            if f.archive_error:
                reason = (reason + "; " if reason else "") + f"left in the inbox, not archived: {f.archive_error}"
            detail.add_row(Text(f.file_name), f.outcome, Text(reason))
        console.print(detail)
    for message in summary.alerts:
        console.print(Text.assemble(("ALERT", "bold red"), " ", message))
    if waiting := summary.counts[Outcome.WAITING]:
        console.print(f"{waiting} file(s) still being written were left in place: run the ingest again to take them")


def projection_table(rows: list[Row]) -> Table:
    """The projected House as a rich table: declared, projected and its 80% band per party."""
    from rich.table import Table

    declared_count, method = rows[0].declared_count, rows[0].method
    p = Table(title=f"projection after {declared_count} declared ({method}; 80% band)")
    for col, just in [("party", "left"), ("declared", "right"), ("projected", "right"), ("80% band", "right")]:
        p.add_column(col, justify=just)
    for party, declared, projected, low, high, _count, _method in rows:
        p.add_row(party, str(declared), str(projected), f"{low}-{high}")
    return p


def projection_markdown(rows: list[Row]) -> list[str]:
    """The projected House as Markdown lines (nothing when no result is declared yet)."""
    if not rows:
        return []
    return [
        f"## Projection after {rows[0].declared_count} declared ({rows[0].method})",
        "",
        "| party | declared | projected | 80% band |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {r.party} | {r.declared_seats} | {r.projected_seats} | {r.low}-{r.high} |" for r in rows),
        "",
    ]


def _print_feed(console: Console, night: NightFigures) -> None:
    """What the agency's own messages said: nominations, its running total beside ours, the correction chains."""
    from rich.table import Table

    if night.nominations is not None and night.nominations.seats:
        console.print(f"nominations: {night.nominations.candidates:,} candidates in {night.nominations.seats} seats")
    if night.agency_check:
        first = night.agency_check[0]
        differ = [r for r in night.agency_check if not r.agrees]
        t = Table(
            title=f"the agency's state of the parties after {first.number_of_results} results, beside ours "
            f"({'agrees' if not differ else f'{len(differ)} parties differ'}; "
            f"{first.disagreements} disagreement alerts in the night)"
        )
        for col in ("party", "agency seats", "our seats", "agency votes", "our votes", ""):
            t.add_column(col, justify="left" if col == "party" else "right")
        for r in night.agency_check:
            t.add_row(
                r.party,
                str(r.agency_seats),
                str(r.our_seats),
                f"{r.agency_votes:,}",
                f"{r.our_votes:,}",
                "" if r.agrees else "differs",
            )
        console.print(t)
    if night.corrections:
        c = Table(title=f"{len(night.corrections)} correction chains across rush and result")
        c.add_column("constituency")
        c.add_column("messages, by revision")
        for r in night.corrections:
            c.add_row(r.constituency, r.chain)
        console.print(c)


def print_night_summary(engine: Engine, limit_flips: int = 100) -> None:
    """Seats and net change by party, the flips, the configured watch lists, alerts and quarantine."""
    from rich.table import Table
    from rich.text import Text

    console = _console()
    night = night_figures(engine, limit_flips)
    tally, flips, alerts, quarantine = night.tally, night.flips, night.alerts, night.quarantine
    label = night.baseline_label
    console.print(f"[bold]{night.headline}[/]")
    t = Table(title=f"seats by party (change against {label})")
    for col, just in [
        ("party", "left"),
        ("seats", "right"),
        ("net", "right"),
        ("gains", "right"),
        ("losses", "right"),
        ("votes", "right"),
        ("share %", "right"),
        (label, "right"),
    ]:
        t.add_column(col, justify=just)
    for party, seats, net, gains, losses, votes, share, base in tally:
        t.add_row(
            party,
            str(seats),
            f"{net:+d}",
            str(gains),
            str(losses),
            f"{votes:,}",
            f"{share:.1f}" if share is not None else "",
            str(base),
        )
    console.print(t)
    if night.projection:
        console.print(projection_table(night.projection))

    f = Table(
        title=f"{len(flips)} seats changed hands against {label}" if len(flips) < limit_flips else "seats changed hands"
    )
    for col in ("constituency", "from", "to", "majority", "swing %", "needed %"):
        f.add_column(col)
    for name, frm, to, maj, swing, needed in flips:
        f.add_row(
            name, frm, to, f"{maj:,}" if maj is not None else "", f"{swing}" if swing is not None else "", f"{needed}"
        )
    console.print(f)

    for watch in night.watch_lists:
        m = Table(title=watch.heading)
        for col in ("constituency", label, "majority", "needed %", "now", "outcome"):
            m.add_column(col)
        for name, party, maj, needed, winner, outcome in watch.seats:
            m.add_row(name, party, f"{maj:,}", f"{needed}", winner or "…", outcome or SeatStatus.AWAITING)
        console.print(m)

    _print_feed(console, night)

    a = Table(title=f"{len(alerts)} alerts raised")
    for col in ("#", "kind", "message", "raised"):
        a.add_column(col)
    for alert_id, kind, message, raised in alerts:
        a.add_row(str(alert_id), kind, Text(message), raised.strftime("%H:%M:%S"))
    console.print(a)

    if not quarantine:
        console.print("[green]no files quarantined[/]")
        return
    q = Table(title=f"{len(quarantine)} files quarantined")
    q.add_column("file", overflow="fold")
    q.add_column("reason", overflow="fold")
    for name, reason in quarantine:
        q.add_row(Text(name), Text(reason))
    console.print(q)
