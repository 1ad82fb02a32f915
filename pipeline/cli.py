"""The `resultsnight` command. Heavy imports (GX, SQLAlchemy) happen inside commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.delivery import DeliveryReport


def _settings():
    from pipeline.config import load_settings

    return load_settings()


def cmd_db_init(args: argparse.Namespace) -> int:
    """Create or migrate the schema and load the seeds."""
    from rich.console import Console

    from pipeline.db import get_engine
    from pipeline.schema import init_db

    settings = _settings()
    report = init_db(
        get_engine(settings),
        settings,
        baseline_csv=Path(args.baseline_csv) if args.baseline_csv else None,
        counting_election_id=args.counting,
        baseline_election_id=args.baseline,
        election_id=args.election,
    )
    console = Console()
    console.print(
        f"schema at revision [bold]{report.revision}[/]; counting [bold]{report.counting_election_id}[/] "
        f"against [bold]{report.baseline_election_id}[/]; views "
        + ("created from sql/views" if report.views_recreated else "already match sql/views")
    )
    console.print(
        f"seeds: {report.seeds.constituencies} constituencies, {report.seeds.parties} parties "
        f"({report.seeds.aliases} aliases), past results "
        + ", ".join(f"{k}: {v} rows" for k, v in sorted(report.seeds.past_results.items()))
    )
    return 0


def cmd_db_roles(args: argparse.Namespace) -> int:
    """Give each component's role LOGIN and the password its RESULTSNIGHT_*_DB_PASSWORD variable sets."""
    from pipeline.config import LOGIN_PASSWORD_VARIABLES, login_passwords
    from pipeline.db import get_engine
    from pipeline.roles import set_login_passwords

    passwords = login_passwords()
    changed = set_login_passwords(get_engine(_settings()), passwords)
    for role, variable in LOGIN_PASSWORD_VARIABLES.items():
        print(f"role {role}: " + ("login, password set" if role in changed else f"unchanged ({variable} not set)"))
    return 0


def cmd_db_url(args: argparse.Namespace) -> int:
    """Print the SQLAlchemy URL of the results database (starting the embedded one if needed)."""
    from pipeline.db import database_url

    print(database_url(_settings()))
    return 0


def cmd_db_psql(args: argparse.Namespace) -> int:
    """Print the psql command an analyst uses (read-only role)."""
    from pipeline.db import analyst_psql_command

    print(analyst_psql_command(_settings()))
    return 0


def cmd_db_stop(args: argparse.Namespace) -> int:
    """Stop the embedded Postgres server."""
    from pipeline.db import stop_embedded

    settings = _settings()
    if settings.database_url:
        print("DATABASE_URL is set: nothing embedded to stop")
        return 0
    print("stopped the embedded Postgres" if stop_embedded(settings) else "the embedded Postgres was not running")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders: every file ends stored or quarantined."""
    from pipeline.db import get_engine
    from pipeline.ingest import ingest_paths
    from pipeline.report import print_ingest_summary

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"resultsnight ingest: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = _settings()
    if args.dry_run:
        return _dry_run(args, settings)
    archive = Path(args.archive) if args.archive else None
    summary = ingest_paths(
        get_engine(settings),
        [Path(p) for p in args.paths],
        settings=settings,
        archive=archive,
        progress=not args.json and sys.stderr.isatty(),
    )
    # One delivery pass after storing, so an in-process night still alerts
    # (a deployment delivers from the sweep DAG or `resultsnight deliver`).
    summary.delivered_alerts = _deliver_once(settings).delivered
    if args.json:
        print(json.dumps(summary.as_dict(), indent=2, default=str))
    else:
        print_ingest_summary(summary)
    return 0 if summary.complete else 1  # 1: some file could not be read and was left in place


def _dry_run(args: argparse.Namespace, settings: Settings) -> int:
    """`ingest --dry-run`: each file's fate, nothing stored or moved."""
    from pipeline.db import get_engine
    from pipeline.dry_run import as_json, dry_run, print_fates

    fates = dry_run(get_engine(settings), [Path(p) for p in args.paths], settings)
    if args.json:
        print(json.dumps(as_json(fates), indent=2, default=str))
    else:
        print_fates(fates)
    return 0 if all(f.fate != "unreadable" for f in fates) else 1


def cmd_replay(args: argparse.Namespace) -> int:
    """Play the 2019 night into the inbox as the agency's feed (live form, or the TEST feed's)."""
    from pipeline.rehearsal.bad_files import with_bad_files
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_feed, plan_night

    settings = _settings()
    inbox = Path(args.inbox) if args.inbox else settings.inbox
    plan = plan_night if args.results_only else plan_feed
    messages = plan(seed=args.seed, test_feed=args.test_feed)
    if args.limit:
        messages = messages[: args.limit]
    if args.bad_files:
        messages = with_bad_files(messages)
    written = play(
        messages, inbox, speed=args.speed, duration=args.duration, progress=not args.quiet, layout=args.layout
    )
    where = f"{inbox}/results and {inbox}/nominations" if args.layout == "agency" else str(inbox)
    print(f"wrote {written} files into {where}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the night's summary tables."""
    from pipeline.db import get_engine
    from pipeline.report import print_night_summary

    print_night_summary(get_engine(_settings()))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the night's Markdown report and HTML board (what the report DAG does)."""
    from pipeline.board import write_report
    from pipeline.db import get_engine

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


# A pass after `ingest` stops claiming alerts after this long; the rest wait for the next deliverer.
PASS_SECONDS = 30.0


def _deliver_once(settings: Settings) -> DeliveryReport:
    from pipeline.db import get_engine
    from pipeline.delivery import Backoff, deliver_pending, receiver_for

    return deliver_pending(
        get_engine(settings),
        receiver_for(settings),
        backoff=Backoff(first=settings.alert_retry_seconds),
        budget_seconds=PASS_SECONDS,
    )


def cmd_deliver(args: argparse.Namespace) -> int:
    """Deliver alerts from the outbox: one pass with --once, else until SIGINT/SIGTERM."""
    import signal

    from pipeline.db import get_engine
    from pipeline.delivery import Backoff, receiver_for, run_deliverer

    settings = _settings()
    if args.once:
        report = _deliver_once(settings)
    else:
        stopping = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.append(True))
        report = run_deliverer(
            get_engine(settings),
            receiver_for(settings),
            backoff=Backoff(first=settings.alert_retry_seconds),
            poll_seconds=args.interval,
            stop=lambda: bool(stopping),
        )
    print(json.dumps(report.as_dict()))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the live board at / and the JSON API under /api/v1/, read-only, until SIGINT/SIGTERM."""
    from pipeline.serve.run import serve

    print(f"resultsnight board on http://{args.host}:{args.port}/ (API under /api/v1/)", flush=True)
    serve(_settings(), host=args.host, port=args.port)
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Pull the agency's results/ and nominations/ folders from its FTP or SFTP server into the inbox."""
    import logging

    from pipeline.exceptions import FeedRefused, FeedUnavailable
    from pipeline.fetch.run import address_from_settings, fetch_feed

    # The fetcher's own lines (connected, fetched X, refused Y, trying again) for the person watching.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    fetch_log = logging.getLogger("pipeline.fetch")
    fetch_log.addHandler(handler)
    fetch_log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    fetch_log.propagate = False

    settings = _settings()
    address = address_from_settings(settings)
    print(
        f"fetching {address.label} into {settings.inbox}"
        + (" (one pass)" if args.once else f"; polling every {settings.fetch_poll_seconds:g} s, Ctrl-C to stop"),
        file=sys.stderr,
    )
    try:
        report = fetch_feed(address, settings, once=args.once)
    except FeedRefused as exc:
        print(f"resultsnight fetch: {exc}", file=sys.stderr)
        return 2
    except FeedUnavailable as exc:
        print(f"resultsnight fetch: could not reach the server: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0
    figures = report.as_dict()
    print(
        f"fetched {figures['fetched']} files ({figures['listings']} folder listings, "
        f"{figures['refused']} names refused, {figures['too_large']} too large)",
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="resultsnight", description=__doc__.splitlines()[0].split(".")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the results database").add_subparsers(dest="db_command", required=True)
    init = db.add_parser("init", help="create or migrate the schema and load the seeds (safe to rerun)")
    init.add_argument("--baseline-csv", help="another past-results CSV (election_id,gss_code,party_code,votes)")
    init.add_argument(
        "--election",
        help="the election to count, e.g. parl.2024-07-04, against its baseline in "
        "seeds/elections.csv (default RESULTSNIGHT_ELECTION, else the database's setting, "
        "else seeds/count_setting.csv)",
    )
    init.add_argument("--counting", help="election id being counted (default from seeds/count_setting.csv)")
    init.add_argument("--baseline", help="election id compared with (default from seeds/count_setting.csv)")
    init.set_defaults(func=cmd_db_init)
    db.add_parser(
        "roles", help="LOGIN and a password for each component's role, from RESULTSNIGHT_*_DB_PASSWORD (safe to rerun)"
    ).set_defaults(func=cmd_db_roles)
    db.add_parser("url", help="print the database URL").set_defaults(func=cmd_db_url)
    db.add_parser("psql", help="print the analysts' psql command").set_defaults(func=cmd_db_psql)
    db.add_parser("stop", help="stop the embedded Postgres").set_defaults(func=cmd_db_stop)

    ing = sub.add_parser("ingest", help="ingest files or folders of declarations")
    ing.add_argument("paths", nargs="+", help="files or folders")
    ing.add_argument("--json", action="store_true", help="print a machine-readable summary")
    ing.add_argument("--archive", help="move each file here once its transaction has committed")
    ing.add_argument(
        "--dry-run",
        action="store_true",
        help="parse, resolve and validate only: print each file's fate, store and move nothing",
    )
    ing.set_defaults(func=cmd_ingest)

    rep = sub.add_parser("replay", help="play the 2019 night into the inbox as the agency's feed")
    rep.add_argument("--inbox", help="target folder (default RESULTSNIGHT_INBOX)")
    rep.add_argument("--speed", type=float, default=0.0, help="1 = real time, 60 = sixty times faster, 0 = no waiting")
    rep.add_argument("--duration", type=float, help="squeeze the whole night into about this many seconds")
    rep.add_argument("--seed", type=int, default=2019, help="random seed for times, recounts and corrections")
    rep.add_argument("--limit", type=int, help="only the first N messages")
    rep.add_argument(
        "--bad-files",
        action="store_true",
        help="also drop three broken files (truncated, unknown seat, votes over electorate)",
    )
    rep.add_argument(
        "--test-feed",
        action="store_true",
        help="the agency's TEST feed (Test General Election, the rehearsal's date, surnames ending "
        "in ' Test'): for a rehearsal with RESULTSNIGHT_FEED_MODE=test",
    )
    rep.add_argument(
        "--layout",
        choices=["flat", "agency"],
        default="flat",
        help="flat: every file into the inbox (default); agency: results/ and nominations/ "
        "folders as on the agency's server (e.g. to serve them over FTP)",
    )
    rep.add_argument(
        "--results-only",
        action="store_true",
        help="only rushes, recounts and results (no nominations, no state of the parties)",
    )
    rep.add_argument("--quiet", action="store_true", help="no progress bar")
    rep.set_defaults(func=cmd_replay)

    fe = sub.add_parser("fetch", help="pull the agency's FTP/SFTP feed into the inbox (RESULTSNIGHT_FEED_URL)")
    fe.add_argument(
        "--once",
        action="store_true",
        help="one pass, then exit (0: fetched or nothing new, 2: could not reach the server)",
    )
    fe.add_argument("--verbose", action="store_true", help="also log every poll")
    fe.set_defaults(func=cmd_fetch)

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
    dl = sub.add_parser("deliver", help="deliver alerts from the outbox to the webhook (or the log), until stopped")
    dl.add_argument("--once", action="store_true", help="one pass over the alerts due, then exit")
    dl.add_argument("--interval", type=float, default=1.0, help="seconds between looks for new alerts (default 1)")
    dl.set_defaults(func=cmd_deliver)
    srv = sub.add_parser("serve", help="serve the live board and the JSON API (read-only)")
    srv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    srv.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    srv.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `resultsnight` command."""
    import logging

    from pipeline.exceptions import PipelineError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"resultsnight: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
