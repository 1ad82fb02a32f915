"""The agency's real messages through the real ingest and Postgres: feed mode, other elections, the dry run."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.dry_run import ACCEPTED, REFUSED, dry_run
from pipeline.ingest import ingest_paths
from pipeline.model import Outcome
from tests.db_helpers import rows, scalar

pytestmark = pytest.mark.integration

REAL = Path(__file__).resolve().parent / "fixtures" / "real_feed"
NN_RESULT = "General_Election_result_Norwich_North_1.xml"
NN_RUSH = "General_Election_rush_Norwich_North_1.xml"
THURROCK_BAD_RUSH = "General_Election_rush_Thurrock_1.xml"
KENSINGTON = "General_Election_recount_Kensington_1.xml"
TEST_IPSWICH = "Test_General_Election_result_Ipswich_1.xml"
TOP_UP = "Welsh_Assembly_Test_TopUpResult_Mid_and_West_Wales_1.xml"


def inbox_with(tmp_path: Path, *names: str, rename: dict[str, bytes] | None = None) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        shutil.copy(REAL / name, inbox / name)
        os.utime(inbox / name, (1_576_000_000 + i, 1_576_000_000 + i))  # land in the order given
    for name, body in (rename or {}).items():
        (inbox / name).write_bytes(body)
    return inbox


def outcomes(summary) -> dict[str, tuple[str, str | None]]:
    return {f.file_name: f.outcome for f in summary.files}


def receipt_codes(engine) -> dict[str, str | None]:
    return dict(rows(engine, "select file_name, reason_code from results.files"))


def declarations(engine) -> int:
    return scalar(engine, "select count(*) from pipeline.declaration")


def test_a_live_night_stores_real_results_and_rushes_and_refuses_the_rest_with_codes(clean_db, settings, tmp_path):
    inbox = inbox_with(tmp_path, NN_RUSH, NN_RESULT, KENSINGTON, THURROCK_BAD_RUSH, TEST_IPSWICH, TOP_UP)
    (inbox / ".timestamp").write_text("1576199640.25")  # the agency's folder stamp: not a message
    summary = ingest_paths(clean_db, [inbox], settings=settings)
    assert outcomes(summary) == {
        NN_RUSH: Outcome.STORED,
        NN_RESULT: Outcome.STORED,
        KENSINGTON: Outcome.STORED,
        THURROCK_BAD_RUSH: Outcome.QUARANTINED,
        TEST_IPSWICH: Outcome.QUARANTINED,
        TOP_UP: Outcome.QUARANTINED,
    }
    codes = receipt_codes(clean_db)
    assert (codes[THURROCK_BAD_RUSH], codes[TEST_IPSWICH], codes[TOP_UP]) == (
        "invalid",
        "test_message",
        "not_this_election",
    )
    assert ".timestamp" not in codes
    (nn,) = rows(
        clean_db,
        "select status, winner_party, majority, revision from results.seat_status where constituency = 'Norwich North'",
    )
    # the 2019 figures only: the previous election's and the by-election's candidates are not counted
    assert tuple(nn) == ("declared", "CON", 23397 - 18659, 1)
    assert scalar(clean_db, "select sum(votes) from results.candidates where constituency = 'Norwich North'") == 46285
    previous = scalar(clean_db, "select agency -> 'previous' from pipeline.declaration where kind = 'result'")
    assert [b["date"] for b in previous] == ["2017-06-08", "2018-05-03"]
    # a rush's candidates are kept, without votes
    rush_candidates = rows(
        clean_db,
        "select count(*), count(c.votes)"
        " from pipeline.candidate c join pipeline.declaration d using (declaration_id)"
        " where d.kind = 'rush'",
    )
    assert rush_candidates == [(5, 0)]
    # a rush and a recount notice take the time the file was published (its modification time)
    times = dict(
        rows(
            clean_db,
            "select kind, extract(epoch from declared_at)::bigint from pipeline.declaration where kind <> 'result'",
        )
    )
    assert times == {"rush": 1_576_000_000, "recount": 1_576_000_002}
    # nothing of the refused files reached the typed layer
    assert declarations(clean_db) == 3
    reason = next(f.reason for f in summary.files if f.file_name == TEST_IPSWICH)
    assert "RESULTSNIGHT_FEED_MODE=test" in reason


def test_a_rehearsal_counts_test_messages_and_refuses_live_ones(clean_db, settings, tmp_path):
    rehearsal = dataclasses.replace(settings, feed_mode="test")
    live_top_up = (REAL / TOP_UP).read_bytes().replace(b"Welsh Assembly Test", b"Welsh Assembly")
    welsh_test = (
        (REAL / TEST_IPSWICH).read_bytes().replace(b'type="G"', b'type="W"').replace(b"Ipswich", b"Cardiff North")
    )
    inbox = inbox_with(
        tmp_path,
        TEST_IPSWICH,
        NN_RESULT,
        rename={
            "Welsh_Assembly_Test_result_Cardiff_North_1.xml": welsh_test,
            "Welsh_Assembly_TopUpResult_Mid_and_West_Wales_1.xml": live_top_up,
        },
    )
    summary = ingest_paths(clean_db, [inbox], settings=rehearsal)
    assert outcomes(summary)[TEST_IPSWICH] == Outcome.STORED
    codes = receipt_codes(clean_db)
    assert (
        codes[NN_RESULT],
        codes["Welsh_Assembly_Test_result_Cardiff_North_1.xml"],
        codes["Welsh_Assembly_TopUpResult_Mid_and_West_Wales_1.xml"],
    ) == ("live_message", "other_election", "not_this_election")
    # the TEST message's rehearsal date does not matter: it counts for the election being counted
    assert rows(clean_db, "select election_id, gss_code from pipeline.declaration") == [
        ("parl.2019-12-12", "E14000761")
    ]


def test_a_live_message_for_another_date_is_another_election(clean_db, settings, tmp_path):
    body = (REAL / NN_RESULT).read_bytes().replace(b'date="2019-12-12"', b'date="2017-06-08"')
    inbox = inbox_with(tmp_path, rename={"General_Election_result_Norwich_North_1.xml": body})
    ingest_paths(clean_db, [inbox], settings=settings)
    assert receipt_codes(clean_db) == {"General_Election_result_Norwich_North_1.xml": "other_election"}


def test_the_next_election_with_no_date_yet_counts_a_live_general_election_of_any_date(clean_db, settings, tmp_path):
    """`parl.next` has no polling day in its row until it is called: a live general election message counts for it."""
    from pipeline.resolve import load_reference
    from pipeline.schema import init_db

    clacton = Path(__file__).resolve().parent / "corpus" / "ge2024" / "General_Election_2024_result_Clacton_1.xml"
    body = clacton.read_bytes().replace(b'date="2024-07-04"', b'date="2029-05-03"', 1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "General_Election_result_Clacton_1.xml").write_bytes(body)
    try:
        init_db(clean_db, settings, election_id="parl.2024-07-04")
        with clean_db.connect() as conn:
            assert load_reference(conn).election_date == "2024-07-04"
        ingest_paths(clean_db, [inbox], settings=settings)
        assert receipt_codes(clean_db) == {"General_Election_result_Clacton_1.xml": "other_election"}

        init_db(clean_db, settings, election_id="parl.next")
        with clean_db.connect() as conn:
            assert load_reference(conn).election_date is None
        later = tmp_path / "later"  # another file of that night: the refused one is not looked at again
        later.mkdir()
        (later / "General_Election_result_Clacton_2.xml").write_bytes(body.replace(b'revision="1"', b'revision="2"', 1))
        ingest_paths(clean_db, [later], settings=settings)
        assert rows(clean_db, "select election_id, gss_code from pipeline.declaration") == [("parl.next", "E14001174")]
    finally:
        init_db(clean_db, settings, election_id="parl.2019-12-12")


def test_the_dry_run_says_what_each_file_is_and_stores_nothing(clean_db, settings, tmp_path):
    inbox = inbox_with(tmp_path, NN_RUSH, NN_RESULT, KENSINGTON, THURROCK_BAD_RUSH, TEST_IPSWICH, TOP_UP)
    before = sorted(p.name for p in inbox.iterdir())
    fates = {f.file_name: f for f in dry_run(clean_db, [inbox], settings)}
    assert sorted(p.name for p in inbox.iterdir()) == before
    assert declarations(clean_db) == 0 and receipt_codes(clean_db) == {}
    nn = fates[NN_RESULT]
    assert (nn.fate, nn.kind, nn.seat, nn.gss_code, nn.revision, nn.winner, len(nn.candidates)) == (
        ACCEPTED,
        "result",
        "Norwich North",
        "E14000863",
        1,
        "C",
        6,
    )
    assert nn.candidates[0] == "Chloe Smith (C) 23,397"
    rush = fates[NN_RUSH]
    assert (rush.fate, rush.kind, rush.winner, len(rush.candidates)) == (ACCEPTED, "rush", "C", 5)
    # refused files still say what they parsed to
    ipswich = fates[TEST_IPSWICH]
    assert (ipswich.fate, ipswich.reason_code, ipswich.kind, ipswich.seat, ipswich.winner) == (
        REFUSED,
        "test_message",
        "result",
        "Ipswich",
        "C",
    )
    assert (fates[THURROCK_BAD_RUSH].fate, fates[THURROCK_BAD_RUSH].reason_code) == (REFUSED, "invalid")
    assert fates[TOP_UP].reason_code == "not_this_election"


def test_the_dry_run_command_prints_json_and_a_validation_failure(clean_db, settings, tmp_path):
    # more votes than electors: parsed, admitted and resolved, refused by the great-expectations gate
    body = (REAL / NN_RESULT).read_bytes().replace(b'votes="23397"', b'votes="923397"')
    inbox = inbox_with(tmp_path, rename={NN_RESULT: body})
    env = {**os.environ, "DATABASE_URL": settings.database_url, "RESULTSNIGHT_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "ingest", "--dry-run", "--json", str(inbox)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    (fate,) = out["files"]
    assert (fate["fate"], fate["reason_code"], fate["seat"]) == (REFUSED, "invalid", "Norwich North")
    assert "electorate" in fate["reason"] or "electors" in fate["reason"]
    assert out["counts"] == {"result": {"refused: invalid": 1}}
    assert declarations(clean_db) == 0
