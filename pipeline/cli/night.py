"""`resultsnight` commands of the night itself: ingest, replay, fetch and deliver."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import settings as _settings

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.delivery import DeliveryReport


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders: every file ends stored or quarantined."""
    from pipeline.db import get_engine
    from pipeline.ingest import ingest_paths
    from pipeline.summary import print_ingest_summary

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
    """Play a past night (2019 by default) into the inbox as the agency's feed (live form, or the TEST feed's)."""
    from pipeline.rehearsal.bad_files import with_bad_files
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_feed, plan_night

    settings = _settings()
    inbox = Path(args.inbox) if args.inbox else settings.inbox
    plan = plan_night if args.results_only else plan_feed
    messages = plan(seed=args.seed, test_feed=args.test_feed, election_id=args.election)
    if args.limit:
        messages = messages[: args.limit]
    if args.bad_files:
        messages = with_bad_files(messages, election_id=args.election)
    written = play(
        messages, inbox, speed=args.speed, duration=args.duration, progress=not args.quiet, layout=args.layout
    )
    where = f"{inbox}/results and {inbox}/nominations" if args.layout == "agency" else str(inbox)
    print(f"wrote {written} files into {where}")
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


def register(sub: argparse._SubParsersAction) -> None:
    """The night's commands: ingest, replay, fetch, deliver."""
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

    rep = sub.add_parser("replay", help="play a past night (2019, or 2024) into the inbox as the agency's feed")
    rep.add_argument("--election", default="parl.2019-12-12", help="the night: parl.2019-12-12 or parl.2024-07-04")
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

    dl = sub.add_parser("deliver", help="deliver alerts from the outbox to the webhook (or the log), until stopped")
    dl.add_argument("--once", action="store_true", help="one pass over the alerts due, then exit")
    dl.add_argument("--interval", type=float, default=1.0, help="seconds between looks for new alerts (default 1)")
    dl.set_defaults(func=cmd_deliver)
