"""The replayed 2019 night end to end against 2017 and the golden figures: flips, alerts exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.ingest import ingest_paths
from pipeline.rehearsal.bad_files import bad_files
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night
from pipeline.views import invariant_query, load_views
from tests.db_helpers import rows

pytestmark = pytest.mark.integration

PUBLISHED_2019 = {  # seats (net change against 2017)
    "CON": (365, 48),
    "LAB": (202, -60),
    "SNP": (48, 13),
    "LD": (11, -1),
    "DUP": (8, -2),
    "SF": (7, 0),
    "PC": (4, 0),
    "SDLP": (2, 2),
    "GRN": (1, 0),
    "ALL": (1, 1),
    "SPK": (1, 0),
}
NORWICH_NORTH, BLYTH_VALLEY, BRECON = "E14000863", "E14000575", "W07000068"
GOLDEN = json.loads((Path(__file__).resolve().parent / "golden" / "night_2019.json").read_text(encoding="utf-8"))


def as_text(rows) -> list[list[str | None]]:
    """Rows with every value as text, as the golden file keeps them."""
    return [[None if v is None else str(v) for v in r] for r in rows]


def alert_rows(engine):
    return rows(engine, "select kind, gss_code, from_party, to_party, source from results.alerts order by alert_id")


@pytest.fixture(scope="module")
def _night_summary(engine, settings, night_files):
    reset_night(engine)
    return ingest_paths(engine, [night_files], settings=settings)


@pytest.fixture
def night(engine, settings, night_files, _night_summary):
    """The whole replayed night ingested once into a clean database.

    Ingested once per module; again only if a test in between (clean_db)
    wiped it, so the tests do not depend on their order.
    """
    files = len([p for p in night_files.iterdir() if p.name != ".timestamp"])  # the agency's stamp is no message
    if rows(engine, "select count(*) from pipeline.receipt")[0][0] != files:
        reset_night(engine)
        assert ingest_paths(engine, [night_files], settings=settings).counts == _night_summary.counts
    return engine, _night_summary


def test_night_gives_the_published_result(night):
    engine, summary = night
    assert summary.counts["quarantined"] == 0
    assert rows(engine, "select status, count(*) from results.seat_status group by 1") == [("declared", 650)]
    tally = {p: (s, n) for p, s, n in rows(engine, "select party, seats, net from results.party_tally where seats > 0")}
    assert tally == PUBLISHED_2019
    assert rows(engine, "select count(*) from results.flips") == [(81,)]
    assert rows(engine, "select sum(gains), sum(losses), sum(net) from results.party_tally") == [(81, 81, 0)]


def test_night_seat_details(night):
    engine, _ = night
    row = rows(
        engine,
        "select winner_party, outcome, majority, revision from results.seat_status where gss_code = :g",
        g=NORWICH_NORTH,
    )
    assert row == [("CON", "hold", 4738, 1)]
    # The agency calls Brecon a gain (LD won the August 2019 by-election); against 2017 it is a hold.
    assert rows(
        engine, "select baseline_party, winner_party, outcome from results.seat_status where gss_code = :g", g=BRECON
    ) == [("CON", "CON", "hold")]
    blyth = rows(
        engine,
        "select baseline_party, winner_party, swing_pct, swing_needed_pct from results.flips where gss_code = :g",
        g=BLYTH_VALLEY,
    )
    assert blyth[0][:2] == ("LAB", "CON") and float(blyth[0][2]) > float(blyth[0][3]) > 0


def test_night_swing_follows_the_contract_even_where_a_party_did_not_stand(night):
    engine, _ = night
    assert rows(engine, "select count(*) from results.seat_status where status = 'declared' and swing_pct is null") == [
        (0,)
    ]
    # Chorley: the Speaker stood unopposed by LAB (2017 winner) and CON (runner-up): both polled 0%,
    # so the formula gives half the 2017 majority, towards CON.
    chorley = rows(
        engine,
        "select s.swing_pct, b.majority_pct from results.seat_status s "
        "join results.baseline_seats b using (gss_code) where s.constituency = 'Chorley'",
    )
    assert abs(float(chorley[0][0]) - float(chorley[0][1]) / 2) < 0.01
    messages = dict(
        rows(engine, "select constituency, message from results.alerts where kind = 'flip' and source = 'result'")
    )
    assert all("swing " in m for m in messages.values()), messages  # a result always carries its swing
    assert rows(engine, "select message from results.alerts where kind = 'flip' and constituency = 'Chorley'")[0][
        0
    ].endswith("; SPK was not second in 2017)")


def test_night_alerts_once_per_flip_plus_the_false_flip(night, plan_alerts):
    engine, _ = night
    plan = plan_alerts()  # what the replayed plan must raise, from its stories
    alerts = alert_rows(engine)
    flips = [a for a in alerts if a[0] == "flip"]
    retractions = [a for a in alerts if a[0] == "retraction"]
    flipped = {g for (g,) in rows(engine, "select gss_code from results.flips")}
    assert len(flipped) == 81
    assert {a[1] for a in flips} >= flipped
    assert plan["false_flips"] and sorted(a[1] for a in retractions) == sorted(plan["false_flips"])
    assert not flipped & set(plan["false_flips"])  # each corrected result is a hold
    # every real flip once, plus each false one
    assert sorted(a[1] for a in flips) == sorted([*flipped, *plan["false_flips"]])
    assert Counter(a[0] for a in alerts) == plan["counts"]
    assert rows(engine, "select count(*) from results.targets where status = 'awaiting'") == [(0,)]


def test_night_gives_the_figures_recorded_before_the_redesign(night, plan_alerts):
    """Every alert's text and every seat's figures, as the pipeline gave them before issue 10.

    The replay now speaks the agency's real format, whose flip corrections are
    chains across kinds (rush_1, result_1, rush_2 "Correction:", result_3):
    in the chain seats the same alerts are raised (kind, seat, parties), but
    which message raises them follows the revision rules across kinds, and
    the seat ends at revision 3. Every other alert and figure is word for word.
    """
    engine, _ = night
    chains = set(plan_alerts()["chains"])
    assert len(chains) == 3

    def split(found, gss_at=1):
        return [r for r in found if r[gss_at] not in chains], [r for r in found if r[gss_at] in chains]

    alerts, chain_alerts = split(
        as_text(
            rows(
                engine,
                "select kind, gss_code, from_party, to_party, source, message from results.alerts order by alert_id",
            )
        )
    )
    golden_alerts, golden_chain_alerts = split(GOLDEN["alerts"])
    assert alerts == golden_alerts
    assert sorted(a[:4] for a in chain_alerts) == sorted(a[:4] for a in golden_chain_alerts)
    assert (
        as_text(rows(engine, "select gss_code, swing_pct, swing_needed_pct from results.flips order by gss_code"))
        == GOLDEN["flips"]
    )
    status = as_text(
        rows(
            engine,
            "select gss_code, status, winner_party, baseline_party, baseline_runner_up, outcome, "
            "majority, majority_pct, turnout_pct, swing_pct, swing_needed_pct, revision "
            "from results.seat_status order by gss_code",
        )
    )
    assert [r[:-1] for r in status] == [r[:-1] for r in GOLDEN["seat_status"]]
    assert [r for r in status if r[0] not in chains] == [r for r in GOLDEN["seat_status"] if r[0] not in chains]
    assert {r[0]: r[-1] for r in status if r[0] in chains} == {g: "3" for g in chains}
    assert as_text(rows(engine, "select * from results.party_tally order by party")) == GOLDEN["tally"]


def test_reingesting_the_night_changes_nothing(night, night_files, settings):
    engine, _ = night
    before = (alert_rows(engine), rows(engine, "select count(*) from pipeline.declaration"))
    again = ingest_paths(engine, [night_files], settings=settings)
    assert again.counts["already"] == len(again.files) and again.alerts == []
    assert (alert_rows(engine), rows(engine, "select count(*) from pipeline.declaration")) == before


def test_example_analyst_queries_run_as_analyst(night):
    """The example queries in sql/examples/ that the README points analysts at keep working."""
    from pipeline.db import sql

    engine, _ = night
    with engine.connect() as conn:
        conn.exec_driver_sql("set role analyst")
        marginals = conn.execute(sql("examples/anglia_marginals")).all()
        missed = conn.execute(sql("examples/targets_missed_by_runner_up")).all()
        conn.rollback()
    assert [m[0] for m in marginals][:3] == ["Thurrock", "Norwich North", "Peterborough"]
    assert tuple(missed[[m[0] for m in missed].index("LAB")][:4]) == ("LAB", 1, "Southampton, Itchen", "CON")


@pytest.mark.parametrize(
    "invariant", [i for v in load_views() for i in v.invariants], ids=lambda i: f"{i.view}: {i.name}"
)
def test_every_view_invariant_holds_after_the_night(night, invariant):
    """Each invariant in the views' manifests (sql/views/*/*.yml): no row breaks it once the night is in."""
    engine, _ = night
    query, params = invariant_query(invariant)
    with engine.connect() as conn:
        broken = conn.execute(text(query), params).fetchmany(5)
    assert broken == [], f"{invariant.view} breaks '{invariant.name}': {broken}"


# --- small hand-built scenarios -------------------------------------------------------------


def _messages(gss: str):
    return [m for m in plan_night(only=[gss], corrections=0, recounts=0, false_flips=0, chains=0)]


def _write(folder: Path, name: str, body: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(body)
    return path


def _swap_top_two(body: bytes, a: str, b: str) -> bytes:
    """Swap two candidates' votes and the elected mark (a deliberately wrong first revision)."""
    from defusedxml import ElementTree

    root = ElementTree.fromstring(body)
    cands = root.findall("Election/Constituency/Candidate")  # not the PreviousElection block's
    by_party = {c.find("Party").get("abbreviation"): c for c in cands}
    va, vb = by_party[a].find("Party").get("votes"), by_party[b].find("Party").get("votes")
    by_party[a].find("Party").set("votes", vb)
    by_party[b].find("Party").set("votes", va)
    ea, eb = by_party[a].get("elected"), by_party[b].get("elected")
    for c, e in ((by_party[a], eb), (by_party[b], ea)):
        if e:
            c.set("elected", e)
        elif "elected" in c.attrib:
            del c.attrib["elected"]
    import xml.etree.ElementTree as StdET  # serialising only; parsing stays with defusedxml

    return StdET.tostring(root, encoding="utf-8", xml_declaration=True)


def test_false_flip_corrected_gives_one_flip_and_one_retraction(clean_db, settings, tmp_path):
    result = next(m for m in _messages(NORWICH_NORTH) if m.kind == "result")
    assert result.revision == 1
    wrong = _swap_top_two(result.body, "C", "Lab")  # revision 1, as the plan wrote it, with the top two swapped
    right = result.body.replace(b'revision="1"', b'revision="2"')
    assert right != result.body
    ingest_paths(clean_db, [_write(tmp_path / "a", "nn_result_1.xml", wrong)], settings=settings)
    assert alert_rows(clean_db) == [("flip", NORWICH_NORTH, "CON", "LAB", "result")]
    ingest_paths(clean_db, [_write(tmp_path / "b", "nn_result_2.xml", right)], settings=settings)
    assert alert_rows(clean_db) == [
        ("flip", NORWICH_NORTH, "CON", "LAB", "result"),
        ("retraction", NORWICH_NORTH, "CON", "LAB", "result"),
    ]
    assert rows(
        clean_db, "select winner_party, outcome, revision from results.seat_status where gss_code = :g", g=NORWICH_NORTH
    ) == [("CON", "hold", 2)]
    # The stale first revision arriving again (under another name) raises nothing.
    ingest_paths(clean_db, [_write(tmp_path / "c", "nn_result_1_again.xml", wrong + b"\n")], settings=settings)
    assert len(alert_rows(clean_db)) == 2


def test_rush_flip_confirmed_by_result_alerts_once(clean_db, settings, tmp_path):
    msgs = _messages(BLYTH_VALLEY)
    rush = next(m for m in msgs if m.kind == "rush")
    result = next(m for m in msgs if m.kind == "result")
    ingest_paths(clean_db, [_write(tmp_path / "a", rush.file_name, rush.body)], settings=settings)
    assert rows(
        clean_db,
        "select status, winner_party, outcome, majority from results.seat_status where gss_code = :g",
        g=BLYTH_VALLEY,
    ) == [("rush", "CON", "gain", None)]
    ingest_paths(clean_db, [_write(tmp_path / "b", result.file_name, result.body)], settings=settings)
    assert alert_rows(clean_db) == [("flip", BLYTH_VALLEY, "LAB", "CON", "rush")]
    assert rows(clean_db, "select status, majority from results.seat_status where gss_code = :g", g=BLYTH_VALLEY) == [
        ("declared", 712)
    ]


def test_rush_reversed_by_result_retracts(clean_db, settings, tmp_path):
    msgs = _messages(BLYTH_VALLEY)
    rush = next(m for m in msgs if m.kind == "rush")
    result = next(m for m in msgs if m.kind == "result")
    wrong_result = _swap_top_two(result.body, "C", "Lab")
    ingest_paths(clean_db, [_write(tmp_path / "a", rush.file_name, rush.body)], settings=settings)
    ingest_paths(clean_db, [_write(tmp_path / "b", result.file_name, wrong_result)], settings=settings)
    assert alert_rows(clean_db) == [
        ("flip", BLYTH_VALLEY, "LAB", "CON", "rush"),
        ("retraction", BLYTH_VALLEY, "LAB", "CON", "result"),
    ]


def test_two_processes_at_once_alert_once(clean_db, settings, night_files, tmp_path):
    """Two `resultsnight ingest` processes over the same files: every alert exactly once."""
    files = sorted(p for p in night_files.iterdir() if p.name != ".timestamp")[:400]
    folder = tmp_path / "both"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    cmd = [sys.executable, "-m", "pipeline.cli", "ingest", "--json", str(folder)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    reports = [json.loads(o[0]) for o in outs]
    together = [r["counts"] for r in reports]
    # Each file was handled by exactly one of the two (the other saw it as already received).
    handled = sum(c["stored"] + c["superseded"] + c["duplicate"] + c["quarantined"] for c in together)
    assert handled == len(files)
    dupes = rows(clean_db, "select kind, gss_code, count(*) from results.alerts group by 1, 2 having count(*) > 1")
    assert dupes == []
    # The same alerts as one process alone would raise.
    alone = alert_rows(clean_db)
    reset_night(clean_db)
    ingest_paths(clean_db, [folder], settings=settings)
    assert sorted(alert_rows(clean_db)) == sorted(alone)


def test_replays_bad_files_are_quarantined_with_reasons_a_person_can_act_on(clean_db, settings, tmp_path):
    bad = bad_files(plan_night())
    play(bad, tmp_path / "in", speed=0, progress=False)
    first = ingest_paths(clean_db, [tmp_path / "in"], settings=settings)
    # The cut-off resend might still be coming: it waits; the other two are broken for good.
    assert [(f.file_name, f.outcome) for f in first.files if f.outcome != "quarantined"] == [
        (bad[0].file_name, "waiting")
    ]
    summary = ingest_paths(clean_db, [tmp_path / "in"], settings=replace(settings, incomplete_after_seconds=0))
    reasons = {f.file_name: f.reason for f in [*first.files, *summary.files] if f.outcome == "quarantined"}
    assert sorted(reasons) == sorted(m.file_name for m in bad)
    truncated, unknown, inflated = (reasons[m.file_name] for m in bad)
    assert "never completed" in truncated and "truncated" in truncated
    assert "Atlantis North" in unknown and "E14099999" in unknown
    assert "exceed the electorate" in inflated
    assert rows(clean_db, "select count(*) from results.quarantine") == [(3,)]
    # The reasons word for word, as before the redesign (tests/golden/night_2019.json), but
    # for the cut-off resend, which issue 8 made wait and then say it never completed.
    assert sorted(as_text(rows(clean_db, "select file_name, reason from results.quarantine"))) == sorted(
        GOLDEN["quarantine"]
    )


def test_summary_prints_reasons_and_names_whole(clean_db, settings, tmp_path):
    """Reasons carry [expectation_type] tags and names can be long: the tables must not eat or cut them."""
    bad = bad_files(plan_night())
    play(bad, tmp_path / "in", speed=0, progress=False)
    ingest_paths(clean_db, [tmp_path / "in"], settings=replace(settings, incomplete_after_seconds=0))

    def summary(columns: int) -> str:
        env = {**os.environ, "DATABASE_URL": settings.database_url, "COLUMNS": str(columns)}
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "summary"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    wide = summary(400)
    assert "3 files quarantined" in wide
    for m in bad:
        assert m.file_name in wide
    assert "[expect_column_pair_values_a_to_be_greater_than_b]" in wide  # not taken for markup
    narrow = summary(80).split("files quarantined", 1)[1]
    assert "…" not in narrow  # folded onto more lines, never cut short
