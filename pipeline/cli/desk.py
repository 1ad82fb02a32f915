"""`resultsnight` commands of the results desk: summary, report, backtest, call, serve."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli.common import settings as _settings


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the night's summary tables."""
    from pipeline.db import get_engine
    from pipeline.summary import print_night_summary

    print_night_summary(get_engine(_settings()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the night's Markdown report and HTML board (what the report DAG does)."""
    from pipeline.db import get_engine
    from pipeline.written_report import write_report

    settings = _settings()
    out = write_report(get_engine(settings), Path(args.out) if args.out else settings.data_dir / "reports")
    print(f"report: {out['markdown']}\nboard:  {out['board']}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Replay past elections through the projection and print its error and band coverage."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline import backtest, backtest_report
    from pipeline import projection as pj

    if args.orders < 1:
        raise SystemExit("--orders must be at least 1")
    if args.election and args.election not in backtest.ELECTIONS:
        raise SystemExit(f"--election must be one of {', '.join(backtest.ELECTIONS)} (seeds/elections.csv)")
    elections = [args.election] if args.election else list(backtest.ELECTIONS)
    marks = sorted(set(backtest.MARKS) | (set(backtest.GRID) if args.plot else set()))
    polled = {e: backtest.read_exit_poll(e) for e in elections}
    polled = {e: poll for e, poll in polled.items() if poll}
    console = Console()
    with Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("orders"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=(len(elections) * len(backtest.ORDER_KINDS) + len(polled)) * args.orders)
        points = backtest.run(elections, args.orders, marks, tick=lambda: bar.advance(task))
        # Beside the exit poll: every fifth declaration, the poll's parties, clock orders.
        fine = {
            e: backtest.run(
                [e],
                args.orders,
                backtest_report.FINE_MARKS,
                methods=[pj.REGRESSION],
                parties=list(poll),
                kinds=["clock"],
                tick=lambda: bar.advance(task),
            )
            for e, poll in polled.items()
        }
    for table in backtest_report.tables(points):
        console.print(table)
    for election, poll in polled.items():
        console.print(
            backtest_report.exit_poll_table(election, backtest_report.exit_poll_comparison(fine[election], poll))
        )
    if args.plot:
        backtest_report.plot(points, Path(args.plot))
        console.print(f"plot written to {args.plot}")
    return 0


def cmd_call(args: argparse.Namespace) -> int:
    """Record (or withdraw) the results desk's own call of a seat; exit 1 when refused."""
    from pipeline import calls
    from pipeline.db import get_engine
    from pipeline.exceptions import CallRefused

    if args.withdraw == (args.party is not None):
        print("resultsnight call: give either PARTY or --withdraw", file=sys.stderr)
        return 2
    settings = _settings()
    engine = get_engine(settings)
    try:
        if args.withdraw:
            result = calls.withdraw_call(engine, args.seat, by=args.by)
        else:
            result = calls.make_call(engine, args.seat, args.party, note=args.note, by=args.by)
    except CallRefused as exc:
        print(f"resultsnight call: refused: {exc}", file=sys.stderr)
        return 1
    print(result.message)
    for alert in result.alerts:
        # Recorded in the outbox; the deliverer (the sweep DAG or `resultsnight
        # deliver`) sends it: the desk's role only records calls.
        print(f"alert raised: {alert.message}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the live board at / and the JSON API under /api/v1/, read-only, until SIGINT/SIGTERM."""
    from pipeline.board.run import serve

    print(f"resultsnight board on http://{args.host}:{args.port}/ (API under /api/v1/)", flush=True)
    serve(_settings(), host=args.host, port=args.port)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """The desk's commands: summary, backtest, report, call, serve."""
    sub.add_parser("summary", help="print the night's summary").set_defaults(func=cmd_summary)
    bt = sub.add_parser("backtest", help="replay past elections through the projection: its error and band coverage")
    bt.add_argument(
        "--election",
        metavar="ID",
        help="replay only this election against its baseline in seeds/elections.csv, e.g. "
        "parl.2024-07-04 (against the notional 2019 results); default every one",
    )
    bt.add_argument("--orders", type=int, default=20, help="declaration orders of each kind (default 20)")
    bt.add_argument("--plot", metavar="PNG", help="also write a plot of error against seats declared")
    bt.set_defaults(func=cmd_backtest)
    report = sub.add_parser("report", help="write the night's report and HTML board")
    report.add_argument("--out", help="folder (default: reports/ in the data folder)")
    report.set_defaults(func=cmd_report)
    cl = sub.add_parser("call", help="record the results desk's own call of a seat, or withdraw it")
    cl.add_argument("seat", metavar="SEAT", help="GSS code or constituency name")
    cl.add_argument("party", metavar="PARTY", nargs="?", help="party code or any alias (omit with --withdraw)")
    cl.add_argument("--withdraw", action="store_true", help="withdraw the desk's current call of the seat")
    cl.add_argument("--note", help="why the desk calls it (kept with the call)")
    cl.add_argument("--by", help="who calls it (default: the OS user)")
    cl.set_defaults(func=cmd_call)
    srv = sub.add_parser("serve", help="serve the live board and the JSON API (read-only)")
    srv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    srv.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    srv.set_defaults(func=cmd_serve)
