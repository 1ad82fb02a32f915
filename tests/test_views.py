"""The views' manifests (sql/views/*/*.yml): complete, in dependency order, true to the database, and in the README.

The invariants themselves run after the replayed night, in tests/test_golden_night.py
(test_every_view_invariant_holds_after_the_night).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.exceptions import PipelineError
from pipeline.views import Invariant, creation_order, invariant_query, load_views, readme_with_table
from tests.db_helpers import rows

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.unit
def test_every_view_file_has_a_manifest_and_results_are_apart_from_internal() -> None:
    views = load_views()
    sql_files = sorted(
        str(p.relative_to(REPO / "sql").with_suffix("")) for p in (REPO / "sql" / "views").rglob("*.sql")
    )
    assert sorted(v.sql_name for v in views) == sql_files
    for view in views:
        folder = view.sql_name.split("/")[1]
        assert view.name.split(".")[0] == {"results": "results", "internal": "pipeline"}[folder], view.name
        assert view.grain and view.description and view.columns
        assert all(c.description for c in view.columns), view.name
        assert any(i.kind == "unique" for i in view.invariants), f"{view.name} states no grain as an invariant"


@pytest.mark.unit
def test_creation_order_puts_every_view_after_what_it_reads() -> None:
    order = [v.name for v in load_views()]
    for view in load_views():
        for dependency in view.depends_on:
            assert order.index(dependency) < order.index(view.name), (dependency, view.name)
    # results.flips reads seat_status; the internal result_figures reads past_seat. (seat_status and
    # party_tally read pipeline's tables and views through pipeline.seat_status_as_of and
    # party_tally_as_of, which Postgres resolves when they are called, not when the views are created.)
    assert order.index("pipeline.past_seat") < order.index("pipeline.result_figures")
    assert order.index("results.seat_status") < order.index("results.flips")


@pytest.mark.unit
def test_a_cycle_or_an_unknown_dependency_is_refused() -> None:
    from dataclasses import replace

    views = {v.name: v for v in load_views()}
    cyclic = dict(views)
    cyclic["results.seat_status"] = replace(views["results.seat_status"], depends_on=("results.flips",))
    with pytest.raises(PipelineError, match=r"cycle among results\.flips, .*results\.seat_status"):
        creation_order(list(cyclic.values()))
    unknown = dict(views)
    unknown["results.flips"] = replace(views["results.flips"], depends_on=("results.nowhere",))
    with pytest.raises(PipelineError, match="results.flips depends on results.nowhere"):
        creation_order(list(unknown.values()))


@pytest.mark.unit
def test_a_view_without_a_manifest_or_a_bad_manifest_is_refused(tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(REPO / "sql" / "views", sql_dir / "views")
    (sql_dir / "views" / "results" / "flips.yml").unlink()
    with pytest.raises(PipelineError, match="flips.sql has no manifest"):
        load_views(sql_dir)
    shutil.copy(REPO / "sql" / "views" / "results" / "flips.yml", sql_dir / "views" / "results" / "flips.yml")
    manifest = sql_dir / "views" / "results" / "alerts.yml"
    manifest.write_text(manifest.read_text().replace("  - unique: [alert_id]", "  - unique: [alert_number]"))
    with pytest.raises(PipelineError, match="unknown column.*alert_number"):
        load_views(sql_dir)


@pytest.mark.unit
def test_the_readme_view_table_is_generated_from_the_manifests() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme, load_views()) == readme, "run `python -m pipeline.views --write-readme`"
    for view in load_views():
        if view.name.startswith("results."):
            assert f"| `{view.name}` | {view.grain} |" in readme


@pytest.mark.integration
def test_manifest_columns_are_the_views_columns_in_order(engine) -> None:
    for view in load_views():
        actual = rows(
            engine,
            "select attname from pg_attribute where attrelid = cast(:r as regclass) "
            "and attnum > 0 and not attisdropped order by attnum",
            r=view.name,
        )
        assert [c.name for c in view.columns] == [a for (a,) in actual], view.name


@pytest.mark.integration
def test_declared_dependencies_are_the_ones_postgres_records(engine) -> None:
    from pipeline.db import sql

    with engine.connect() as conn:
        recorded: dict[str, set[str]] = {}
        for view, uses in conn.execute(sql("queries/admin/view_dependencies")):
            recorded.setdefault(view, set()).add(uses)
    for view in load_views():
        assert set(view.depends_on) == recorded.get(view.name, set()), view.name


@pytest.mark.integration
def test_a_broken_invariant_is_caught(clean_db) -> None:
    """The generic checks can fail: run against states that break them, each finds rows."""
    broken = [
        Invariant("results.seat_status", "one row per region", "unique", ("region",)),
        Invariant("results.seat_status", "a winner everywhere", "not_null", ("winner_party",)),  # an empty night
        Invariant("results.seat_status", "status is declared", "accepted_values", ("status",), ("declared",)),
        Invariant(
            "results.party_tally",
            "nobody holds seats",
            "sql",
            sql="select party from results.party_tally where baseline_seats > 0",
        ),
    ]
    with clean_db.connect() as conn:
        for invariant in broken:
            query, params = invariant_query(invariant)
            assert conn.execute(text(query), params).first() is not None, invariant.name
