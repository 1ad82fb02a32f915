"""db init, the seeds and the 2017 baseline in a real Postgres: targets, the analyst role, seeds as derived."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.names import fold
from tests.db_helpers import rows

pytestmark = pytest.mark.integration


def test_fold_matches_feed_spellings():
    assert fold("Ynys Môn") == fold("YNYS MON") == fold("ynys  mon") == "ynys mon"
    assert fold("Birmingham, Hall Green") == fold("Birmingham Hall Green")
    assert fold("Lab Co-op") == "lab co op"
    assert fold("Labour & Co-operative") == fold("Labour and Co-operative")
    assert fold("Sinn Féin") == fold("SINN FEIN")


def test_baseline_has_650_seats_with_2017_tally(engine):
    assert rows(engine, "select count(*) from results.baseline_seats") == [(650,)]
    tally = dict(rows(engine, "select party, baseline_seats from results.party_tally where baseline_seats > 0"))
    assert tally == {
        "CON": 317,
        "LAB": 262,
        "SNP": 35,
        "LD": 12,
        "DUP": 10,
        "SF": 7,
        "PC": 4,
        "GRN": 1,
        "SPK": 1,
        "IND": 1,
    }


def test_every_seat_awaits_before_results(clean_db):
    assert rows(clean_db, "select status, count(*) from results.seat_status group by status") == [("awaiting", 650)]
    assert rows(clean_db, "select sum(seats) from results.party_tally") == [(0,)]


ANGLIA = """
    select t.attacking_party, t.constituency, t.swing_needed_pct, t.baseline_majority
    from results.targets as t join results.baseline_seats as b using (gss_code)
    where t.attacking_party = :party
      and (b.region = 'Eastern' or b.county = 'Northamptonshire' or b.constituency like 'Milton Keynes%')
    order by t.rank
"""


def test_anglia_labour_targets_rank_by_swing_not_votes(engine):
    targets = rows(engine, ANGLIA, party="LAB")[:6]
    assert [t[1] for t in targets] == [
        "Thurrock",
        "Norwich North",
        "Northampton North",
        "Milton Keynes South",
        "Northampton South",
        "Milton Keynes North",
    ]
    assert float(targets[0][2]) == 0.34
    assert targets[0][3] == 345
    # Milton Keynes South (majority 1,665) needs less swing than Northampton South (1,159).
    assert targets[3][3] > targets[4][3]
    assert [float(t[2]) for t in targets] == sorted(float(t[2]) for t in targets)


def test_anglia_conservative_targets(engine):
    targets = rows(engine, ANGLIA, party="CON")[:3]
    assert [t[1] for t in targets] == ["Peterborough", "Ipswich", "Bedford"]
    assert [t[3] for t in targets] == [607, 831, 789]
    assert all(float(t[2]) < 1 for t in targets)


def test_targets_are_seats_the_party_came_second_in(engine):
    bad = rows(
        engine,
        """
        select count(*) from results.targets t join results.baseline_seats b using (gss_code)
        where t.attacking_party <> b.runner_up or t.defending_party <> b.party
           or t.attacking_party = b.party
    """,
    )
    assert bad == [(0,)]
    ranks = rows(engine, "select attacking_party, min(rank), max(rank), count(*) from results.targets group by 1")
    assert all(lo == 1 and hi == n for _, lo, hi, n in ranks)


def _catalog(engine):
    """Everything db init could change: table rows, view definitions, grants, versions."""
    counts = rows(
        engine,
        """
        select table_schema || '.' || table_name from information_schema.tables
        where table_schema in ('pipeline', 'results') and table_type = 'BASE TABLE' order by 1
    """,
    )
    snapshot = {}
    with engine.connect() as conn:
        for (name,) in counts:
            schema, table = name.split(".")
            q = f"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from \"{schema}\".\"{table}\" t"
            snapshot[name] = conn.exec_driver_sql(q).scalar_one()
    snapshot["views"] = rows(
        engine,
        """
        select schemaname, viewname, definition from pg_views where schemaname in ('pipeline', 'results') order by 1, 2
    """,
    )
    snapshot["grants"] = rows(
        engine,
        """
        select table_name, grantee, privilege_type from information_schema.role_table_grants
        where table_schema = 'results' order by 1, 2, 3
    """,
    )
    snapshot["past_seat"] = rows(
        engine, "select md5(string_agg(p::text, '|' order by p::text)) from pipeline.past_seat p"
    )
    return snapshot


def test_db_init_twice_changes_nothing(engine, settings):
    from pipeline.schema import init_db

    before = _catalog(engine)
    init_db(engine, settings)
    assert _catalog(engine) == before


def test_db_init_applies_a_changed_view_definition(engine, settings, monkeypatch):
    """A new column order in a view, or a changed materialised view, reaches the database on the next db init."""
    import pipeline.schema as schema

    original = schema.sql_text

    def changed(name: str) -> str:
        body = original(name)
        if name == "views/results/flips":  # CREATE OR REPLACE cannot drop or reorder columns
            body = body.replace("select", "select 'v2' as edition,", 1)
        if name == "views/internal/past_seat":  # nor change a materialised view at all
            body = body.replace(")\n\nselect\n", ")\n\nselect 'v2' as edition,\n", 1)
        return body

    def columns(relation: str) -> list[str]:
        return [
            r[0]
            for r in rows(
                engine,
                "select attname from pg_attribute where attrelid = cast(:r as regclass) "
                "and attnum > 0 and not attisdropped order by attnum",
                r=relation,
            )
        ]

    before = _catalog(engine)
    monkeypatch.setattr(schema, "sql_text", changed)
    assert schema.init_db(engine, settings).views_recreated
    assert columns("results.flips")[0] == "edition" and columns("pipeline.past_seat")[0] == "edition"
    assert rows(engine, "select count(*) from results.seat_status") == [(650,)]  # its dependants were rebuilt
    assert not schema.init_db(engine, settings).views_recreated  # and the next init leaves them alone
    monkeypatch.setattr(schema, "sql_text", original)
    assert schema.init_db(engine, settings).views_recreated
    assert _catalog(engine) == before  # back to the files' definitions, grants included


def test_analyst_role_reads_results_but_cannot_write(engine):
    with engine.connect() as conn:
        conn.exec_driver_sql("set role analyst")
        assert conn.exec_driver_sql("select count(*) from results.seat_status").scalar_one() == 650
        with pytest.raises(Exception, match="permission denied"):
            conn.exec_driver_sql("select count(*) from pipeline.raw_file")
        conn.rollback()
        conn.exec_driver_sql("set role analyst")
        with pytest.raises(Exception, match="permission denied"):
            conn.exec_driver_sql("create table results.scratch (x int)")
        conn.rollback()
    # Every write privilege, on every relation of both schemas, is absent: a
    # catalogue check, since writing into a view can fail for other reasons.
    writable = rows(
        engine,
        """
        select c.relnamespace::regnamespace::text, c.relname, p.priv
        from pg_class c
        cross join unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) as p(priv)
        where c.relnamespace::regnamespace::text in ('results', 'pipeline') and c.relkind in ('r', 'v', 'm', 'p')
          and has_table_privilege('analyst', c.oid, p.priv)
    """,
    )
    assert writable == []
    readable = rows(
        engine,
        """
        select c.relnamespace::regnamespace::text,
               bool_or(has_table_privilege('analyst', c.oid, 'SELECT')),
               bool_and(has_table_privilege('analyst', c.oid, 'SELECT'))
        from pg_class c
        where c.relnamespace::regnamespace::text in ('results', 'pipeline') and c.relkind in ('r', 'v', 'm')
        group by 1 order by 1
    """,
    )
    assert readable == [("pipeline", False, False), ("results", True, True)]  # none of one, all of the other


def test_alternative_baseline_csv(engine, settings, tmp_path):
    """A user can load another past-results CSV of the same shape; db init reloads the seeds."""
    from pipeline.schema import init_db

    alt = tmp_path / "results_2017.csv"
    src = (settings.seeds_dir / "results_2017.csv").read_text().splitlines()
    # Hand Thurrock 2017 to Labour by 100 votes (CON 19,880 -> 19,435).
    alt.write_text("\n".join(line.replace("E14000995,CON,19880", "E14000995,CON,19435") for line in src) + "\n")
    try:
        init_db(engine, settings, baseline_csv=alt)
        assert rows(engine, "select party, majority from results.baseline_seats where constituency = 'Thurrock'") == [
            ("LAB", 100)
        ]
    finally:
        init_db(engine, settings)
    assert rows(engine, "select party, majority from results.baseline_seats where constituency = 'Thurrock'") == [
        ("CON", 345)
    ]


def test_committed_seeds_match_the_derivation(tmp_path, settings):
    """seeds/ is exactly what pipeline.rehearsal.derive_seeds makes from the uk-politics data."""
    import importlib.util

    if importlib.util.find_spec("uk_politics") is None:
        pytest.fail("uk-politics is not installed; `make setup` installs it (--no-deps)")
    from pipeline.rehearsal.derive_seeds import derive

    derive(tmp_path)
    derived = {p.name for p in tmp_path.glob("*.csv")}
    # hexmap.csv comes from pipeline.board.hexmap (d3-hexjson), checked in tests/test_board_api.py
    assert derived == {p.name for p in settings.seeds_dir.glob("*.csv")} - {
        "count_setting.csv",
        "watch_lists.csv",
        "hexmap.csv",
    }
    for path in tmp_path.glob("*.csv"):
        assert path.read_text() == (settings.seeds_dir / path.name).read_text(), path.name


def test_cli_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from pipeline.cli import build_parser; build_parser();"
        "print(','.join(m for m in ('great_expectations','sqlalchemy','pandas','airflow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
