"""`resultsnight db ...`: the results database's schema, roles and address."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.cli.common import settings as _settings


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


def register(sub: argparse._SubParsersAction) -> None:
    """`db` and its subcommands."""
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
