"""The `resultsnight` command. Heavy imports (GX, SQLAlchemy) happen inside commands.

One module per group of commands, each with its commands' bodies and their
arguments (`register`): `night` (ingest, replay, fetch, deliver), `db`
(init, roles, url, psql, stop) and `desk` (summary, report, backtest, call,
serve).
"""

from __future__ import annotations

import argparse
import sys

from pipeline.cli import db, desk, night


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="resultsnight", description=__doc__.splitlines()[0].split(".")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    db.register(sub)
    night.register(sub)
    desk.register(sub)
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
