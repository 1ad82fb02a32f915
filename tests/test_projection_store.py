"""The projection kept in the database: one row set per declared count, exact at the end, idempotent."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pipeline.ingest import ingest_paths, read_received
from pipeline.model import Outcome
from pipeline.parse import parse_file
from pipeline.projection_store import refresh_projection
from pipeline.rehearsal.stories import plan_night
from pipeline.resolve import load_reference, resolve
from pipeline.schema import reset_night
from pipeline.store import store_declarations
from tests.db_helpers import last_event, rows

pytestmark = pytest.mark.integration

PUBLISHED_2019 = {
    "CON": 365,
    "LAB": 202,
    "SNP": 48,
    "LD": 11,
    "DUP": 8,
    "SF": 7,
    "PC": 4,
    "SDLP": 2,
    "GRN": 1,
    "ALL": 1,
    "SPK": 1,
}


def history_rows(engine):
    return rows(engine, "select * from pipeline.projection_history order by election_id, declared_count, party_code")


@pytest.fixture(scope="module")
def _stored() -> dict:
    """The night as this module last stored it: its steps and the newest event id then."""
    return {}


@pytest.fixture
def stored_night(engine, night_files, _stored):
    """The night stored file by file in landing order, refresh_projection in each storing transaction.

    This is the wiring the ingest path gets: the refresh is the last statement
    of the transaction that stored a result. Returns (declared count after
    each stored result, history row sets after it). Stored once per module;
    again only if a test since reset the night or stored more (its newest event
    says), so the tests do not depend on their order.
    """
    if _stored.get("event_id") != last_event(engine):
        _stored["steps"] = _store_the_night(engine, night_files)
        _stored["event_id"] = last_event(engine)
    return _stored["steps"]


def _store_the_night(engine, night_files) -> list[tuple[int, int]]:
    reset_night(engine)
    with engine.connect() as conn:
        ref = load_reference(conn)
    steps = []
    for message in plan_night():
        rec, _ = read_received(night_files / message.file_name)
        decls = [resolve(d, ref) for d in parse_file(rec.file_name, rec.body)]
        with engine.begin() as conn:
            result = store_declarations(conn, rec, decls, ref)
            if result.outcome == Outcome.STORED and message.kind == "result":
                refreshed = refresh_projection(conn, [d.gss_code for d in decls])
                assert refreshed.seats_counted == 1
                sets = conn.execute(text("select count(distinct declared_count) from pipeline.projection_history"))
                steps.append((refreshed.declared_count, sets.scalar()))
    return steps


def test_history_grows_by_one_row_set_per_declared_result(engine, stored_night):
    counts = [c for c, _ in stored_night]
    # every result of the night: 650 first declarations and the corrections (which
    # recompute the row set of the count they arrive at instead of adding one).
    assert len(stored_night) == sum(1 for m in plan_night() if m.kind == "result")
    assert len(stored_night) > 650
    assert sorted(set(counts)) == list(range(1, 651))
    assert all(sets == count for count, sets in stored_night)
    per_count = rows(
        engine,
        """
        select declared_count, sum(projected_seats), sum(declared_seats), bool_and(declared_seats <= low
               and low <= projected_seats and projected_seats <= high)
        from pipeline.projection_history group by declared_count order by declared_count""",
    )
    assert [r[0] for r in per_count] == list(range(1, 651))
    assert all(total == 650 and declared == count and ordered for count, total, declared, ordered in per_count)
    # The view shows the same history, one row per (declared_count, party).
    assert rows(
        engine, "select count(*), count(distinct (declared_count, party)) from results.projection_history"
    ) == rows(engine, "select count(*), count(*) from pipeline.projection_history")


def test_projection_is_exact_once_every_seat_is_declared(engine, stored_night):
    final = rows(
        engine,
        "select party, declared_seats, projected_seats, low, high, declared_count, method "
        "from results.projection order by party",
    )
    assert {r[0]: r[1] for r in final} == PUBLISHED_2019
    assert all(r[1] == r[2] == r[3] == r[4] and r[5] == 650 and r[6] == "regression" for r in final)
    # Early in the night the band is a real interval around a real projection.
    early = rows(
        engine,
        "select party, projected_seats, low, high from results.projection_history "
        "where declared_count = 100 and party in ('CON', 'LAB')",
    )
    assert len(early) == 2 and all(low < projected < high for _, projected, low, high in early)


def test_reingesting_the_night_changes_nothing(engine, settings, stored_night, night_files):
    before = history_rows(engine)
    summary = ingest_paths(engine, [night_files], settings=settings)
    assert summary.counts.get("stored", 0) == 0
    with engine.begin() as conn:
        again = refresh_projection(conn)
    assert again.declared_count == 650
    assert history_rows(engine) == before  # computed_at included: identical rows are not rewritten


def test_the_running_sums_give_what_a_rebuild_from_every_seat_gives(engine, stored_night):
    before = history_rows(engine)
    with engine.begin() as conn:
        conn.execute(text("delete from pipeline.projection_state"))
        rebuilt = refresh_projection(conn)  # no state: sums rebuilt from all 650 seats
    assert rebuilt.seats_counted == 650
    assert history_rows(engine) == before
    with engine.begin() as conn:
        assert refresh_projection(conn).seats_counted == 0  # every seat's result id checked, none new


def test_a_night_reset_empties_the_projection(engine, stored_night):
    assert rows(engine, "select count(*) > 0 from results.projection") == [(True,)]
    reset_night(engine)
    assert rows(engine, "select count(*) from pipeline.projection_history") == [(0,)]
    assert rows(engine, "select count(*) from pipeline.projection_state") == [(0,)]
    assert rows(engine, "select count(*) from results.projection") == [(0,)]
    with engine.begin() as conn:
        assert refresh_projection(conn) is None  # nothing declared: nothing to project


def test_two_workers_storing_at_once_count_one_after_the_other(engine, night_files):
    """A refresh waits for another's transaction, then counts on top of it: no declared count is lost."""
    import threading
    import time

    reset_night(engine)
    with engine.connect() as conn:
        ref = load_reference(conn)
    first, second = [m for m in plan_night() if m.kind == "result"][:2]

    def store(conn, message):
        rec, _ = read_received(night_files / message.file_name)
        decls = [resolve(d, ref) for d in parse_file(rec.file_name, rec.body)]
        assert store_declarations(conn, rec, decls, ref).outcome == Outcome.STORED
        return refresh_projection(conn, [message.gss_code])

    seen = {}
    with engine.connect() as one:
        tx = one.begin()
        seen["first"] = store(one, first)  # holds the projection lock until it commits

        def worker():
            with engine.begin() as two:
                seen["second"] = store(two, second)

        thread = threading.Thread(target=worker)
        thread.start()
        for _ in range(600):  # until the second worker is waiting on the lock (a wait, not a timing check)
            waiting = one.execute(
                text("select count(*) from pg_locks where locktype = 'advisory' and not granted")
            ).scalar()
            if waiting:
                break
            time.sleep(0.05)
        assert waiting == 1
        assert "second" not in seen
        tx.commit()
    thread.join()
    assert seen["first"].declared_count == 1 and seen["second"].declared_count == 2
    assert rows(
        engine, "select declared_count, sum(declared_seats) from pipeline.projection_history group by 1 order by 1"
    ) == [(1, 1), (2, 2)]
