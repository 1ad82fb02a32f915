"""The night's summary and Markdown report show the projection (results.projection) once a result is in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.board import write_report
from pipeline.ingest import ingest_paths
from pipeline.report import night_figures, print_night_summary

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
    with clean_db.connect() as conn:
        expected = conn.execute(
            text(
                "select party, declared_seats, projected_seats, low, high, declared_count, method "
                "from results.projection order by projected_seats desc, declared_seats desc, party"
            )
        ).all()
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
