"""Create or migrate the schema (Alembic), then the analyst views, then the seeds."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, text

from pipeline.config import PROJECT_ROOT, Settings, load_settings
from pipeline.db import sql, sql_text
from pipeline.exceptions import PipelineError
from pipeline.seeds import SeedReport, default_count_setting, load_seeds
from pipeline.views import load_views

# Serialises concurrent `db init`s (two Airflow workers starting at once).
_INIT_LOCK_KEY = 7_201_912


@dataclass(frozen=True)
class InitReport:
    """What `db init` did."""

    revision: str
    seeds: SeedReport
    counting_election_id: str
    baseline_election_id: str
    views_recreated: bool = False


def migrate(conn: Connection) -> str:
    """Run Alembic to head on this connection; return the head revision."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "pipeline" / "migrations"))
    cfg.attributes["connection"] = conn
    # Alembic keeps its version table in our schema, so that must exist first.
    conn.exec_driver_sql("create schema if not exists pipeline")
    command.upgrade(cfg, "head")
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


_CREATE_VIEW = re.compile(
    r"create\s+(?:or\s+replace\s+)?(materialized\s+)?view\s+(?:if\s+not\s+exists\s+)?([a-z_]+\.[a-z_]+)\s+as",
    re.IGNORECASE,
)
_FINGERPRINT_PREFIX = "resultsnight views sha256:"


def view_sources() -> list[tuple[str, str, str]]:
    """(kind, schema-qualified name, SQL) of every view, in the order their manifests' depends_on give."""
    sources = []
    for view in load_views():
        body = sql_text(view.sql_name)
        found = _CREATE_VIEW.search(body)
        if found is None:
            raise PipelineError(f"sql/{view.sql_name}.sql does not create a view")
        if found.group(2) != view.name:
            raise PipelineError(f"sql/{view.sql_name}.sql creates {found.group(2)}, its manifest says {view.name}")
        sources.append(("materialized view" if found.group(1) else "view", found.group(2), body))
    return sources


# Views an earlier release created that no file describes any more: dropped on upgrade.
RETIRED_VIEWS = ("pipeline.current_result",)  # became pipeline.result_figures (revision 0014)


def _drop_views(conn: Connection, kinds: dict[str, str]) -> None:
    """Drop these views (name -> view or materialized view), each after every one of them that reads it.

    The order comes from the catalogue, not from today's manifests: the
    views being replaced may depend on each other differently from the new
    files (an upgrade).
    """
    reads: dict[str, set[str]] = {}
    for view, uses in conn.execute(sql("queries/admin/view_dependencies")):
        reads.setdefault(view, set()).add(uses)
    remaining = set(kinds)
    while remaining:
        free = sorted(n for n in remaining if not any(n in reads.get(o, set()) for o in remaining if o != n))
        if not free:
            raise PipelineError(f"the existing views depend on each other in a cycle: {', '.join(sorted(remaining))}")
        for name in free:
            conn.exec_driver_sql(f"drop {kinds[name]} if exists {name}")
            remaining.discard(name)


def create_views(conn: Connection) -> bool:
    """Bring every view up to its file in sql/views/*/; return whether anything changed.

    The files' fingerprint is kept as the comment of schema `results`. When it
    differs, every view is dropped (dependents first, as the catalogue records
    them; never CASCADE: an object of someone else's that depends on a view
    stops the upgrade instead of vanishing) and created again, so a changed column list or a changed
    materialised view is applied, which CREATE OR REPLACE cannot do.
    """
    sources = view_sources()
    digest = hashlib.sha256("\0".join(f"{n}\0{b}" for _, n, b in sources).encode()).hexdigest()
    current = conn.execute(
        text("select obj_description(oid, 'pg_namespace') from pg_namespace where nspname = 'results'")
    ).scalar()
    if current == _FINGERPRINT_PREFIX + digest:
        return False
    _drop_views(conn, {name: kind for kind, name, _ in sources} | {name: "view" for name in RETIRED_VIEWS})
    for _, _, body in sources:
        conn.exec_driver_sql(body)
    conn.exec_driver_sql("grant usage on schema results to results_reader")
    conn.exec_driver_sql("grant select on all tables in schema results to results_reader")
    conn.exec_driver_sql(
        f"comment on schema results is '{_FINGERPRINT_PREFIX}{digest}'"
    )  # hex digest: no quoting needed
    return True


def init_db(
    engine: Engine,
    settings: Settings | None = None,
    *,
    baseline_csv: Path | None = None,
    counting_election_id: str | None = None,
    baseline_election_id: str | None = None,
    election_id: str | None = None,
) -> InitReport:
    """Create or upgrade the schema and load the seeds; running it again changes nothing.

    election_id (else settings.election, RESULTSNIGHT_ELECTION) sets the
    counted election and its baseline from seeds/elections.csv; without one
    the database keeps its setting (seeds/count_setting.csv on a new one).
    """
    settings = settings or load_settings()
    election_id = election_id or settings.election
    if election_id is not None and counting_election_id is None:
        counting_election_id, seeded_baseline = default_count_setting(settings.seeds_dir, election_id)
        baseline_election_id = baseline_election_id or seeded_baseline
    with engine.begin() as conn:
        conn.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _INIT_LOCK_KEY})
        revision = migrate(conn)
        views_recreated = create_views(conn)
        seeds = load_seeds(conn, settings.seeds_dir, baseline_csv)
        default_counting, default_baseline = default_count_setting(settings.seeds_dir, counting_election_id)
        explicit = counting_election_id is not None or baseline_election_id is not None
        conn.execute(
            sql("queries/seeds/count_setting"),
            {
                "counting_election_id": counting_election_id or default_counting,
                "baseline_election_id": baseline_election_id or default_baseline,
                "only_if_missing": not explicit,
            },
        )
        conn.exec_driver_sql("refresh materialized view pipeline.past_seat")
        counting, baseline = conn.execute(
            text("select counting_election_id, baseline_election_id from pipeline.count_setting")
        ).one()
    return InitReport(revision, seeds, counting, baseline, views_recreated)


def reset_night(engine: Engine) -> None:
    """Forget every received file, declaration and alert (seeds stay): a fresh rehearsal."""
    with engine.begin() as conn:
        conn.exec_driver_sql(sql_text("queries/admin/reset_night"))
