"""The written report (`resultsnight report`, the report DAG): a Markdown summary and an HTML seat chart."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from pipeline.summary import WatchListFigures, night_figures, projection_markdown

# Conventional broadcast colours, for the board only.
COLOURS = {
    "CON": "#0087DC",
    "LAB": "#E4003B",
    "LD": "#FAA61A",
    "SNP": "#FDF38E",
    "PC": "#3F8428",
    "GRN": "#02A95B",
    "BRX": "#12B6CF",
    "UKIP": "#6D3177",
    "DUP": "#D46A4C",
    "SF": "#326760",
    "SDLP": "#2AA82C",
    "UUP": "#48A5EE",
    "ALL": "#F6CB2F",
    "SPK": "#7F7F7F",
    "IND": "#DDDDDD",
    "OTH": "#AAAAAA",
    "REF": "#12B6CF",
    "TUV": "#0C3A6A",
}
AWAITING = "#EEEEEE"


def _seat_chart(seats: list[tuple]) -> str:
    """An SVG of every seat as a square, grouped by winning party; gains outlined in black."""
    order = {p: i for i, p in enumerate(COLOURS)}
    seats = sorted(seats, key=lambda s: (order.get(s[2] or "~", 99), s[3] != "gain", s[1]))
    cols, size, gap = 50, 14, 2
    rows = (len(seats) + cols - 1) // cols
    cells = []
    for i, (_gss, name, winner, outcome) in enumerate(seats):
        x, y = (i % cols) * (size + gap), (i // cols) * (size + gap)
        fill = COLOURS.get(winner, AWAITING) if winner else AWAITING
        stroke = ' stroke="#000" stroke-width="2"' if outcome == "gain" else ""
        title = html.escape(f"{name}: {winner or 'awaiting'} {outcome or ''}".strip())
        cells.append(
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{fill}"{stroke}><title>{title}</title></rect>'
        )
    w, h = cols * (size + gap), rows * (size + gap)
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img">{"".join(cells)}</svg>'


def _watch_markdown(watch: WatchListFigures, base: str) -> list[str]:
    return [
        f"## {watch.heading}",
        "",
        f"| constituency | {base} | majority | needed % | now | outcome |",
        "| --- | --- | ---: | ---: | --- | --- |",
        *(
            f"| {name} | {party} | {maj:,} | {needed} | {winner or '…'} | {outcome or 'awaiting'} |"
            for name, party, maj, needed, winner, outcome in watch.seats
        ),
        "",
    ]


def _watch_html(watch: WatchListFigures, base: str) -> str:
    head = "".join(
        f"<th>{html.escape(c)}</th>" for c in ("constituency", base, "majority", "needed %", "now", "outcome")
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (name, party, f"{maj:,}", needed, winner or "…", outcome or "awaiting")
        )
        + "</tr>"
        for name, party, maj, needed, winner, outcome in watch.seats
    )
    return f"<h2>{html.escape(watch.heading)}</h2><table class=watch><tr>{head}</tr>{body}</table>"


def write_report(engine: Engine, folder: Path, seeds_dir: Path | None = None) -> dict:
    """Write night-<time>.md and board.html into folder; return the headline figures."""
    night = night_figures(engine, seeds_dir=seeds_dir)
    tally, flips, alerts, quarantine = night.tally, night.flips, night.alerts, night.quarantine
    base = night.baseline_label
    now = datetime.now(UTC)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Results night report, {now:%Y-%m-%d %H:%M} UTC",
        "",
        night.headline,
        "",
        f"| party | seats | net | votes | share % | {base} |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *(f"| {p} | {s} | {n:+d} | {v:,} | {sh or 0} | {b} |" for p, s, n, _g, _l, v, sh, b in tally),
        "",
        *projection_markdown(night.projection),
        f"## {len(flips)} seats changed hands against {base}",
        "",
        *(
            f"- {name}: {to} gain from {frm} (majority {maj:,}, swing {sw}%, needed {nd}%)"
            for name, frm, to, maj, sw, nd in flips
        ),
        "",
        *(line for watch in night.watch_lists for line in _watch_markdown(watch, base)),
        f"## {len(alerts)} alerts",
        "",
        *(f"- {a[2]}" for a in alerts),
        "",
        f"## {len(quarantine)} quarantined files",
        "",
        *(f"- `{name}`: {reason}" for name, reason in quarantine),
        "",
    ]
    md = folder / f"night-{now:%Y%m%dT%H%M%S}.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    legend = " ".join(
        f'<span style="background:{COLOURS[p]};padding:0 6px">&nbsp;</span> {p} {s}' for p, s, *_ in tally if s
    )
    board = folder / "board.html"
    board.write_text(
        "<!doctype html><meta charset=utf-8><title>resultsnight board</title>"
        "<body style='font-family:sans-serif'>"
        f"<h1>{html.escape(night.headline)}</h1>"
        f"<p>{legend}</p>{_seat_chart(night.seats)}"
        f"<p>Each square is a seat, grouped by winner; black outline: gained against {base}; grey: awaiting.</p>"
        + "".join(_watch_html(watch, base) for watch in night.watch_lists)
        + f"<h2>{len(flips)} gains</h2><ul>"
        + "".join(f"<li>{html.escape(n)}: {t} from {f}</li>" for n, f, t, *_ in flips)
        + "</ul></body>",
        encoding="utf-8",
    )
    return {
        "declared": night.declared,
        "flips": len(flips),
        "alerts": len(alerts),
        "quarantined": len(quarantine),
        "markdown": str(md),
        "board": str(board),
    }
