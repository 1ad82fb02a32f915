"""The night never halts on one file: a failed archive move, symbolic links, a run's conf naming files elsewhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.exceptions import RefusedPath
from pipeline.ingest import SYMLINK_REASON, ingest_paths
from pipeline.rehearsal.stories import plan_night
from pipeline.tasks import conf_files
from tests.db_helpers import rows

SEATS = ["E14000577", "E14000761", "E14000530"]  # Blyth Valley, Houghton and Sunderland South, Bolsover


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for m in plan_night(only=SEATS, corrections=0, recounts=0, false_flips=0):
        (folder / m.file_name).write_bytes(m.body)
    return folder


def test_a_failed_move_leaves_that_file_aside_and_every_other_goes_on(clean_db, settings, inbox, tmp_path):
    archive = tmp_path / "archive"
    names = sorted(p.name for p in inbox.iterdir())
    stuck = names[1]
    # The rename cannot replace a directory holding a file: as good as a full disk for this one file.
    (archive / stuck).mkdir(parents=True)
    (archive / stuck / "keep").write_text("x")

    first = ingest_paths(clean_db, [inbox], settings=settings, archive=archive)

    assert first.counts["stored"] == len(names)  # stored is stored
    assert [p.name for p in inbox.iterdir()] == [stuck]  # every other file was archived
    assert sorted(p.name for p in archive.iterdir() if p.is_file()) == sorted(set(names) - {stuck})
    report = {f.file_name: f.archive_error for f in first.files}
    assert report[stuck] and "IsADirectoryError" in report[stuck]
    assert all(report[n] is None for n in names if n != stuck)
    ((error,),) = rows(clean_db, "select archive_error from results.files where file_name = :n", n=stuck)
    assert error == report[stuck]
    assert rows(clean_db, "select count(*) from results.files where archive_error is not null") == [(1,)]
    declarations = rows(clean_db, "select count(*) from pipeline.declaration")

    # Still broken: the next run tries the move again, never the ingest.
    again = ingest_paths(clean_db, [inbox], settings=settings, archive=archive)
    assert [(f.file_name, f.outcome) for f in again.files] == [(stuck, "already")]
    assert again.files[0].archive_error
    assert rows(clean_db, "select attempts from pipeline.archive_failure") == [(2,)]

    # Fixed: the move succeeds and the failure is forgotten; nothing is stored twice.
    shutil.rmtree(archive / stuck)
    fixed = ingest_paths(clean_db, [inbox], settings=settings, archive=archive)
    assert [(f.file_name, f.outcome, f.archive_error) for f in fixed.files] == [(stuck, "already", None)]
    assert list(inbox.iterdir()) == [] and (archive / stuck).is_file()
    assert rows(clean_db, "select count(*) from results.files where archive_error is not null") == [(0,)]
    assert rows(clean_db, "select count(*) from pipeline.declaration") == declarations
    assert rows(clean_db, "select count(*) from pipeline.receipt") == [(len(names),)]


def test_an_archive_that_cannot_be_made_stops_no_file(clean_db, settings, inbox, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where the archive's parent should be")
    summary = ingest_paths(clean_db, [inbox], settings=settings, archive=blocker / "archive")
    files = len(list(inbox.iterdir()))
    assert summary.counts["stored"] == files
    assert all(f.archive_error and "NotADirectoryError" in f.archive_error for f in summary.files)
    assert rows(clean_db, "select count(*) from results.files where archive_error is not null") == [(files,)]


def test_a_symbolic_link_in_the_inbox_is_refused_and_never_followed(clean_db, settings, inbox, tmp_path):
    secret = tmp_path / "elsewhere" / "General_Election_2019_result_Elsewhere_1.xml"
    secret.parent.mkdir()
    first = sorted(inbox.iterdir())[0]
    real = len(list(inbox.iterdir()))
    secret.write_bytes(first.read_bytes().replace(b'revision="1"', b'revision="7"'))
    link = inbox / "General_Election_2019_result_Link_1.xml"
    link.symlink_to(secret)
    archive = tmp_path / "archive"

    summary = ingest_paths(clean_db, [inbox], settings=settings, archive=archive)

    refused = [f for f in summary.files if f.file_name == link.name]
    assert [(f.outcome, f.reason) for f in refused] == [("unreadable", SYMLINK_REASON)]
    assert not summary.complete
    assert rows(clean_db, "select count(*) from pipeline.receipt where file_name = :n", n=link.name) == [(0,)]
    assert link.is_symlink() and secret.exists()  # reported and left in place; the target untouched
    assert summary.counts["stored"] == real and list(inbox.iterdir()) == [link]  # the other files went on


def test_a_symbolic_link_named_directly_is_refused(clean_db, settings, inbox, tmp_path):
    target = sorted(inbox.iterdir())[0]
    link = tmp_path / "General_Election_2019_result_Link_2.xml"
    link.symlink_to(target)
    summary = ingest_paths(clean_db, [link], settings=settings)
    assert [(f.file_name, f.outcome) for f in summary.files] == [(link.name, "unreadable")]
    assert rows(clean_db, "select count(*) from pipeline.receipt") == [(0,)]


@pytest.mark.unit
def test_a_runs_conf_names_only_files_in_the_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xml").write_text("x")
    (tmp_path / "secret.xml").write_text("x")
    (inbox / "link.xml").symlink_to(tmp_path / "secret.xml")
    (inbox / "inner.xml").symlink_to(inbox / "a.xml")

    assert conf_files([str(inbox / "a.xml"), "a.xml"], inbox) == [inbox / "a.xml"] * 2
    for bad in [
        "/etc/passwd",
        str(tmp_path / "secret.xml"),
        "../secret.xml",
        str(inbox / ".." / "secret.xml"),
        "link.xml",
        "inner.xml",
    ]:
        with pytest.raises(RefusedPath, match="only files in the inbox"):
            conf_files([str(inbox / "a.xml"), bad], inbox)
