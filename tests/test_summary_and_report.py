"""The night's summary and report: the projection once a result is in, and what the agency's own messages said."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.ingest import ingest_paths
from pipeline.summary import night_figures, print_night_summary
from pipeline.written_report import write_report
from tests import agency_feed
from tests.db_helpers import rows

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent / "corpus"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
RESULTS = ["General_Election_2019_result_Blyth_Valley_1.xml", "General_Election_2019_result_Sunderland_Central_1.xml"]


def test_no_projection_section_before_any_result(clean_db, tmp_path, capsys):
    assert night_figures(clean_db, seeds_dir=SEEDS).projection == []
    print_night_summary(clean_db)
    assert "projection" not in capsys.readouterr().out
    write_report(clean_db, tmp_path, seeds_dir=SEEDS)
    assert "Projection" not in next(tmp_path.glob("night-*.md")).read_text()


def test_summary_and_report_show_the_projection(clean_db, settings, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in RESULTS:
        shutil.copy(CORPUS / name, inbox / name)
    assert ingest_paths(clean_db, [inbox], settings=settings).complete
    expected = rows(
        clean_db,
        "select party, declared_seats, projected_seats, low, high, declared_count, method "
        "from results.projection order by projected_seats desc, declared_seats desc, party",
    )
    assert expected and expected[0].declared_count == 2
    night = night_figures(clean_db, seeds_dir=SEEDS)
    assert [tuple(r) for r in night.projection] == [tuple(r) for r in expected]

    print_night_summary(clean_db)
    out = " ".join(capsys.readouterr().out.split())
    assert f"projection after 2 declared ({expected[0].method}; 80% band)" in out
    top = expected[0]
    assert f"{top.party} │ {top.declared_seats} │ {top.projected_seats} │ {top.low}-{top.high}" in out

    write_report(clean_db, tmp_path / "report", seeds_dir=SEEDS)
    md = next((tmp_path / "report").glob("night-*.md")).read_text()
    assert f"## Projection after 2 declared ({top.method})" in md
    for r in expected:
        assert f"| {r.party} | {r.declared_seats} | {r.projected_seats} | {r.low}-{r.high} |" in md


def test_the_summary_shows_the_nominations_the_agency_check_and_a_correction_chain(
    clean_db, settings, tmp_path, capsys
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = {
        "General_Election_nominations_Norwich_North_1.xml": agency_feed.nominations(
            "Norwich North", 1, [("Chloe", "Smith", "C", "*"), ("Karen", "Davis", "Lab", None)]
        ),
        "General_Election_rush_Norwich_North_1.xml": agency_feed.rush("Norwich North", 1, "C"),
        "General_Election_result_Norwich_North_1.xml": agency_feed.result(
            "Norwich North", 1, {"C": 23397, "Lab": 18659}
        ),
        "General_Election_rush_Norwich_North_2.xml": agency_feed.rush("Norwich North", 2, "Lab"),
        "General_Election_result_Norwich_North_3.xml": agency_feed.result(
            "Norwich North", 3, {"C": 18659, "Lab": 23397}
        ),
        "General_Election_SOP_1.xml": agency_feed.state_of_parties(
            1,
            [
                {"abbreviation": "Lab", "totalSeats": 1, "gains": 1, "votes": 23397},
                {"abbreviation": "C", "votes": 18659},
            ],
            ["Norwich North"],
        ),
    }
    for i, (name, body) in enumerate(files.items()):
        (inbox / name).write_bytes(body)
        os.utime(inbox / name, (1_576_000_000 + i, 1_576_000_000 + i))
    ingest_paths(clean_db, [inbox], settings=settings)
    night = night_figures(clean_db, seeds_dir=SEEDS)
    assert (night.nominations.seats, night.nominations.candidates) == (1, 2)
    assert {(r.party, r.agency_seats, r.our_seats, r.agrees) for r in night.agency_check} == {
        ("LAB", 1, 1, True),
        ("CON", 0, 0, True),
    }
    assert [(r.constituency, r.chain) for r in night.corrections] == [
        ("Norwich North", "rush 1 CON → result 1 CON → rush 2 LAB → result 3 LAB")
    ]
    print_night_summary(clean_db)
    out = capsys.readouterr().out
    assert "nominations: 2 candidates in 1 seats" in out
    assert "state of the parties after 1 results" in out and "agrees" in out
    assert "1 correction chains across rush and result" in out
