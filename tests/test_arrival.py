"""Files as a real feed writes them: in place, in pieces, in bursts, with odd bytes and odd names.

The rule (pipeline.arrival): a file is taken once it has not changed for the
settle interval and no process has it open for writing; a message that ends
early waits until it has stopped changing for a bounded time, then is
quarantined saying it never completed. The same behaviour through a running
Airflow is tested in test_dags.py.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pipeline.arrival import Signature, open_for_writing, scan, settle, settled
from pipeline.exceptions import IncompleteFile, MalformedFile
from pipeline.ingest import ingest_paths, list_files
from pipeline.parse import parse_file
from pipeline.rehearsal.stories import plan_night
from tests.db_helpers import rows

CORPUS = Path(__file__).resolve().parent / "corpus"
NORWICH = "General_Election_2019_result_Norwich_North_1.xml"
BLYTH_RESULT = "General_Election_2019_result_Blyth_Valley_1.xml"
DC = "DemocracyClub_results_parl.2019-12-12_sample.csv"


def _writer(path: Path, parts: list[bytes], pause: float, reopen: bool = False) -> subprocess.Popen:
    """Another process writing `parts` into `path` under its final name, pausing between them.

    With reopen=False it keeps the file open throughout (an FTP download);
    with reopen=True it closes it between parts (a resumed transfer), so
    nothing on this machine shows the file is still coming.
    """
    code = (
        "import sys, time\n"
        "path, pause, reopen = sys.argv[1], float(sys.argv[2]), sys.argv[3] == '1'\n"
        "parts = [bytes.fromhex(h) for h in sys.argv[4:]]\n"
        "fh = open(path, 'wb')\n"
        "for i, part in enumerate(parts):\n"
        "    if i and reopen: fh = open(path, 'ab')\n"
        "    fh.write(part); fh.flush()\n"
        "    print('wrote', i, flush=True)\n"
        "    if reopen: fh.close()\n"
        "    if i < len(parts) - 1: time.sleep(pause)\n"
        "if not reopen: fh.close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(pause), "1" if reopen else "0", *(p.hex() for p in parts)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().startswith("wrote 0")  # the first part is on disk
    return proc


def _halves(body: bytes) -> list[bytes]:
    cut = len(body) // 2
    return [body[:cut], body[cut:]]


# --- the rule itself, no database -------------------------------------------------


@pytest.mark.unit
def test_a_file_open_for_writing_is_seen_as_such(tmp_path):
    target = tmp_path / NORWICH
    proc = _writer(target, _halves((CORPUS / NORWICH).read_bytes()), pause=30)
    try:
        assert open_for_writing([tmp_path]) == {str(target.resolve()): proc.pid}
        ready, waiting = settle([target], 0.05)
        assert ready == [] and [w.path for w in waiting] == [target]
        assert "open for writing" in waiting[0].reason
    finally:
        proc.kill()
        proc.wait()
    assert open_for_writing([tmp_path]) == {}
    os.utime(target, (time.time() - 5, time.time() - 5))
    ready, waiting = settle([target], 0.05)
    assert [p for p, _ in ready] == [target] and waiting == []


@pytest.mark.unit
def test_a_file_that_changes_during_the_settle_interval_waits(tmp_path):
    target = tmp_path / "a.xml"
    target.write_bytes(b"<FirstPastThePostResult")
    grown = []

    def sleep_while_writing(seconds: float) -> None:
        with target.open("ab") as fh:  # the writer adds more while we wait
            fh.write(b" revision='1'>")
        grown.append(seconds)

    ready, waiting = settle([target], 0.2, sleep=sleep_while_writing)
    assert grown and 0 < grown[0] <= 0.2  # one pause, never longer than the interval
    assert ready == [] and "still being written" in waiting[0].reason


@pytest.mark.unit
def test_settled_uses_the_file_time_unless_it_is_in_the_future():
    sig = Signature(10, int(100 * 1e9), 1)
    assert settled(sig, stable_since=100, now=100.3, settle_seconds=0.25)
    assert not settled(sig, stable_since=100, now=100.1, settle_seconds=0.25)
    future = Signature(10, int(500 * 1e9), 1)  # a copy that kept a time ahead of our clock
    assert not settled(future, stable_since=100, now=100.1, settle_seconds=0.25)
    assert settled(future, stable_since=100, now=100.3, settle_seconds=0.25)


@pytest.mark.unit
@pytest.mark.parametrize(
    "body",
    [
        b"",
        (CORPUS / NORWICH).read_bytes()[:300],  # cut inside the content
        (CORPUS / NORWICH).read_bytes()[:60],  # cut inside a tag
    ],
    ids=["empty", "cut-in-content", "cut-in-a-tag"],
)
def test_a_message_that_ends_early_is_incomplete(body):
    with pytest.raises(IncompleteFile):
        parse_file(NORWICH, body)


@pytest.mark.unit
def test_broken_but_whole_messages_are_not_incomplete():
    with pytest.raises(MalformedFile) as err:
        parse_file("x.xml", b"<a><b></a>")  # mismatched tag: more bytes will not mend it
    assert not isinstance(err.value, IncompleteFile)
    csv = (CORPUS / DC).read_bytes()
    with pytest.raises(IncompleteFile, match="last row"):
        parse_file(DC, csv[: csv.rindex(b",")])  # cut mid-row, no line end
    assert len(parse_file(DC, csv.rstrip(b"\r\n"))) == len(parse_file(DC, csv))  # no final newline is fine


# --- through ingest_paths, against the real database --------------------------------


@pytest.fixture
def patient(settings):
    """Settings whose incomplete-message wait is long enough for a test to finish writing."""
    return dataclasses.replace(settings, incomplete_after_seconds=120.0)


def _outcomes(summary) -> list[tuple[str, str]]:
    return [(f.file_name, f.outcome) for f in summary.files]


@pytest.mark.integration
def test_a_file_written_in_place_with_a_pause_is_stored_once_never_quarantined(clean_db, patient, tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    body = (CORPUS / BLYTH_RESULT).read_bytes()
    proc = _writer(inbox / BLYTH_RESULT, _halves(body), pause=1.5)
    mid = ingest_paths(clean_db, [inbox], settings=patient, archive=archive)
    assert _outcomes(mid) == [(BLYTH_RESULT, "waiting")] and "open for writing" in mid.files[0].reason
    assert (inbox / BLYTH_RESULT).exists()  # not moved while open
    proc.wait(timeout=30)
    done = ingest_paths(clean_db, [inbox], settings=patient, archive=archive)
    assert _outcomes(done) == [(BLYTH_RESULT, "stored")]
    assert (archive / BLYTH_RESULT).read_bytes() == body
    assert rows(clean_db, "select count(*) from results.quarantine") == [(0,)]
    assert rows(clean_db, "select kind, to_party from results.alerts") == [("flip", "CON")]


@pytest.mark.integration
def test_a_writer_we_cannot_see_pausing_past_the_settle_interval_loses_nothing(clean_db, patient, tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    body = (CORPUS / BLYTH_RESULT).read_bytes()
    proc = _writer(inbox / BLYTH_RESULT, _halves(body), pause=1.5, reopen=True)  # closed between parts
    time.sleep(0.5)  # past the settle interval: the half file looks complete from outside
    mid = ingest_paths(clean_db, [inbox], settings=patient, archive=archive)
    assert _outcomes(mid) == [(BLYTH_RESULT, "waiting")]
    assert "ends before the message does" in mid.files[0].reason and "120 s" in mid.files[0].reason
    proc.wait(timeout=30)
    done = ingest_paths(clean_db, [inbox], settings=patient, archive=archive)
    assert _outcomes(done) == [(BLYTH_RESULT, "stored")]
    assert rows(clean_db, "select count(*) from pipeline.receipt") == [(1,)]  # the half was never recorded


@pytest.mark.integration
def test_a_file_that_stays_truncated_is_quarantined_saying_it_never_completed(clean_db, settings, tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    quick = dataclasses.replace(settings, incomplete_after_seconds=1.0)
    half = (CORPUS / BLYTH_RESULT).read_bytes()[:400]
    (inbox / BLYTH_RESULT).write_bytes(half)  # the writer died here
    first = ingest_paths(clean_db, [inbox], settings=quick, archive=archive)
    assert _outcomes(first) == [(BLYTH_RESULT, "waiting")]
    time.sleep(1.1)
    later = ingest_paths(clean_db, [inbox], settings=quick, archive=archive)
    assert _outcomes(later) == [(BLYTH_RESULT, "quarantined")]
    reason = rows(clean_db, "select reason from results.quarantine")[0][0]
    assert reason.startswith("the file never completed: still cut off after 1 s without a change (400 bytes)")
    assert (archive / "quarantine" / BLYTH_RESULT).read_bytes() == half

    # The writer comes back and finishes the file where it now lies: the next
    # sweep (which rechecks the quarantine folder) stores it.
    (archive / "quarantine" / BLYTH_RESULT).write_bytes((CORPUS / BLYTH_RESULT).read_bytes())
    time.sleep(0.3)
    again = ingest_paths(clean_db, [inbox], settings=quick, archive=archive, recheck=[archive / "quarantine"])
    assert _outcomes(again) == [(BLYTH_RESULT, "stored")]
    assert (archive / BLYTH_RESULT).exists() and not (archive / "quarantine" / BLYTH_RESULT).exists()
    assert rows(clean_db, "select kind, to_party from results.alerts") == [("flip", "CON")]
    # Unchanged quarantined files are passed over without a word.
    assert (
        ingest_paths(clean_db, [inbox], settings=quick, archive=archive, recheck=[archive / "quarantine"]).files == []
    )


@pytest.mark.integration
def test_a_file_redelivered_under_the_same_name_with_new_bytes_is_a_new_receipt(clean_db, settings, tmp_path):
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    first = (CORPUS / "General_Election_2019_result_Norwich_North_1.xml").read_bytes()
    second = (CORPUS / "General_Election_2019_result_Norwich_North_2.xml").read_bytes()  # the correction
    (inbox / NORWICH).write_bytes(first)
    assert _outcomes(ingest_paths(clean_db, [inbox], settings=settings, archive=archive)) == [(NORWICH, "stored")]
    (inbox / NORWICH).write_bytes(second)
    assert _outcomes(ingest_paths(clean_db, [inbox], settings=settings, archive=archive)) == [(NORWICH, "stored")]
    assert rows(clean_db, "select count(distinct sha256) from pipeline.receipt where file_name = :n", n=NORWICH) == [
        (2,)
    ]
    assert rows(clean_db, "select revision from results.seat_status where gss_code = 'E14000863'") == [(2,)]


def _variant(body: bytes, how: str) -> bytes:
    if how == "bom":
        return b"\xef\xbb\xbf" + body
    if how == "crlf":
        return body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if how == "latin1":
        return body.decode("utf-8").replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    raise ValueError(how)


@pytest.mark.integration
def test_byte_order_marks_crlf_latin1_and_odd_file_names_are_genuine(clean_db, settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    ynys = (CORPUS / "General_Election_2019_result_Ynys_Mon_1.xml").read_bytes()
    ynys = ynys.replace(b'name="YNYS MON"', 'name="Ynys Môn"'.encode()).replace(b'"Aled"', '"Siân"'.encode())
    assert b'encoding="UTF-8"' in ynys
    files = {
        "General Election 2019 result Ynys Môn (1).xml": _variant(ynys, "latin1"),
        "General_Election_2019_result_Norwich-North_1 [bom].xml": _variant((CORPUS / NORWICH).read_bytes(), "bom"),
        "General_Election_2019_result_Blyth Valley_1 (crlf).xml": _variant(
            (CORPUS / BLYTH_RESULT).read_bytes(), "crlf"
        ),
    }
    for name, body in files.items():
        (inbox / name).write_bytes(body)
    summary = ingest_paths(clean_db, [inbox], settings=settings)
    assert sorted(_outcomes(summary)) == sorted((n, "stored") for n in files)
    names = dict(rows(clean_db, "select gss_code, constituency from results.seat_status where status = 'declared'"))
    assert names == {"W07000041": "Ynys Môn", "E14000863": "Norwich North", "E14000575": "Blyth Valley"}
    assert rows(clean_db, "select sum(votes) from results.candidates where gss_code = 'W07000041'")[0][0] > 30000
    assert ("Siân Example",) in rows(clean_db, "select candidate_name from results.candidates")
    assert _variant(ynys, "latin1").count("Siân".encode("latin-1")) == 1  # really ISO-8859-1 bytes


DC_HEADER = (
    "election_id,ballot_paper_id,gss,post_label,person_id,person_name,party_id,party_name,votes_cast,"
    "elected,tied_vote_winner,turnout_reported,spoilt_ballots,total_electorate"
)


@pytest.mark.integration
def test_a_democracy_club_csv_with_bom_crlf_and_several_independents_keeps_every_candidate(
    clean_db, settings, tmp_path
):
    candidates = [
        ("PP52", "Conservative and Unionist Party", "Ann Example", 24000, "True"),
        ("PP53", "Labour Party", "Ben Example", 15000, "False"),
        ("ynmp-party:2", "Independent", "Cat Example", 900, "False"),
        ("ynmp-party:2", "Independent", "Dan Example", 400, "False"),
        ("ynmp-party:2", "Independent", "Eve Example", 150, "False"),
    ]
    lines = [DC_HEADER] + [
        f"parl.2019-12-12,parl.norwich-north.2019-12-12,E14000863,Norwich North,{9000 + i},{name},{pid},{pname},"
        f"{votes},{elected},False,40600,150,67172"
        for i, (pid, pname, name, votes, elected) in enumerate(candidates)
    ]
    path = tmp_path / "results.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    summary = ingest_paths(clean_db, [path], settings=settings)
    assert _outcomes(summary) == [("results.csv", "stored")]
    cands = rows(clean_db, "select candidate_name, party, votes from results.candidates order by position")
    assert cands == [
        ("Ann Example", "CON", 24000),
        ("Ben Example", "LAB", 15000),
        ("Cat Example", "IND", 900),
        ("Dan Example", "IND", 400),
        ("Eve Example", "IND", 150),
    ]


@pytest.mark.integration
def test_three_hundred_files_landing_at_once_are_all_stored_each_alert_once(clean_db, settings, tmp_path):
    inbox = tmp_path / "inbox"
    msgs = [m for m in plan_night() if m.kind in ("rush", "result")][:300]
    inbox.mkdir()
    for m in msgs:  # written in place, all in the same moment
        (inbox / m.file_name).write_bytes(m.body)
    summary = ingest_paths(clean_db, [inbox], settings=settings, archive=tmp_path / "archive")
    assert Counter(f.outcome for f in summary.files) == {"stored": 300}
    assert list(inbox.iterdir()) == []
    raised = rows(clean_db, "select kind, gss_code, to_party from results.alerts")
    assert raised and max(Counter(raised).values()) == 1
    again = ingest_paths(clean_db, [tmp_path / "archive"], settings=settings)
    assert Counter(f.outcome for f in again.files) == {"already": 300}
    assert rows(clean_db, "select kind, gss_code, to_party from results.alerts") == raised


@pytest.mark.unit
def test_the_agencys_timestamp_file_is_not_a_message(tmp_path):
    """`.timestamp` (rewritten whenever a file lands on the agency's server) is skipped by the scan the watcher
    and the sweep share, and by the ingest's listing, even when named on the command line."""
    (tmp_path / ".timestamp").write_text("1458758959.62198")
    (tmp_path / "General_Election_rush_Blyth_Valley_1.xml").write_bytes(b"<FirstPastThePostRush/>")
    assert set(scan(tmp_path)) == {"General_Election_rush_Blyth_Valley_1.xml"}
    assert [p.name for p in list_files([tmp_path, tmp_path / ".timestamp"])] == [
        "General_Election_rush_Blyth_Valley_1.xml"
    ]


@pytest.mark.unit
def test_a_signature_survives_the_watchers_event_and_nothing_else_passes_for_one(tmp_path):
    path = tmp_path / "a.xml"
    path.write_bytes(b"<FirstPastThePostRush/>")
    sig = Signature.of(path.stat())
    assert Signature.parse(sig.text()) == sig
    for written in (None, "", "12:34", "a:b:c", "1:2:3:4"):
        assert Signature.parse(written) is None
