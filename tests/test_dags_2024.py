"""The 2024 night under real Airflow: a slice of its real-format feed gives what an in-process ingest gives.

A whole night under a local Airflow on a shared two-core machine takes
longer than the suite can spend, so this runs a slice: seats chosen for
what they exercise (Reform's Clacton, an independent's Islington North, the
TUV's North Antrim, the Speaker, Conservative gain Leicester East, Green
gain Waveney Valley), and every correction chain, recount and votes-only
correction the night's stories pick. tests/test_night_2024.py ingests the
whole night in process.
"""

from __future__ import annotations

import pytest

from pipeline.ingest import ingest_paths
from pipeline.rehearsal.corrections import choose_stories
from pipeline.rehearsal.nights import NIGHT_2024
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.seats import load_seats
from pipeline.rehearsal.stories import plan_feed
from pipeline.schema import init_db, reset_night
from tests.db_helpers import rows
from tests.test_dags import _make_stack, _wait_processed, deliver, results_snapshot, running

pytestmark = [pytest.mark.integration, pytest.mark.airflow, pytest.mark.slow]

ELECTION = "parl.2024-07-04"
CHOSEN = {
    "E14001174": "REF",  # Clacton
    "E14001305": "IND",  # Islington North
    "N05000012": "TUV",  # North Antrim
    "E14001170": "SPK",  # Chorley
    "E14001326": "CON",  # Leicester East: a Conservative gain from Labour
    "E14001569": "GRN",  # Waveney Valley
}


def slice_2024() -> list[str]:
    """The chosen seats and every seat the night's stories give a correction or a recount."""
    stories = choose_stories(load_seats(None, ELECTION), night=NIGHT_2024)
    return sorted(set(CHOSEN) | set(stories.chains) | set(stories.recounts) | set(stories.typos))


@pytest.fixture(scope="module")
def stack_2024(settings, engine, tmp_path_factory):
    """A real local Airflow started on a database that counts the 2024 night."""
    init_db(engine, settings, election_id=ELECTION)
    try:
        with running(_make_stack(settings, tmp_path_factory.mktemp("live2024"), "airflow_2024")) as stack:
            yield stack
    finally:
        reset_night(engine)
        init_db(engine, settings, election_id="parl.2019-12-12")


def test_real_airflow_gives_a_slice_of_the_2024_night_what_an_in_process_ingest_gives(
    stack_2024, engine, settings, tmp_path
):
    reset_night(engine)
    seats = slice_2024()
    night = tmp_path / "night"
    written = play(plan_feed(only=seats, election_id=ELECTION), night, speed=0, progress=False)
    deliver(night, stack_2024.settings.inbox)
    _wait_processed(engine, stack_2024, written, timeout=300)
    through_airflow = results_snapshot(engine)
    winners = dict(
        rows(engine, "select gss_code, winner_party from results.seat_status where gss_code = any(:g)", g=seats)
    )
    assert {g: winners[g] for g in CHOSEN} == CHOSEN
    assert len(winners) == len(seats)
    outcome = dict(rows(engine, "select gss_code, outcome from results.seat_status where gss_code = any(:g)", g=seats))
    assert outcome["E14001174"] == "gain" and outcome["E14001170"] == "hold"  # against the notionals
    assert through_airflow["agency_check"]
    agreed = rows(engine, "select bool_and(agrees), bool_and(baseline_shared) from results.agency_check")
    assert agreed == [(True, True)]

    reset_night(engine)
    ingest_paths(engine, [night], settings=settings)
    in_process = results_snapshot(engine)
    for name, table in in_process.items():
        assert through_airflow[name] == table, name
