"""The feed fetcher against real FTP and SFTP servers on 127.0.0.1 (tests/feed_servers.py) and a real database.

Nothing of either protocol is mocked: pyftpdlib and asyncssh serve real
folders, which the tests write into as the agency's feeder does (the file,
then the folder's .timestamp), and kill and start again mid-night.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.exceptions import FeedRefused, FeedUnavailable
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.client import open_client
from pipeline.fetch.loop import RESCAN_SECONDS, Fetcher
from pipeline.rehearsal.processes import free_port
from tests.feed_servers import Feed, ServerProcess, server_commands, server_retrieved, wait_for

pytestmark = pytest.mark.integration

USER, PASSWORD = "pa_live", "s3cret-Pa55"
POLL = 0.3


def message(seat: str, revision: int, padding: int = 0) -> bytes:
    """A small result file in the agency's format (padding: a comment to make it big)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<FirstPastThePostResult revision="{revision}" declarationTime="2019-12-13T01:14:00+00:00">\n'
        '  <Election name="General Election" date="2019-12-12" type="G">\n'
        f'    <Constituency number="1" name="{seat}" electorate="70000" turnout="45000" winningParty="C">\n'
        '      <Candidate elected="*" paId="1" sex="F" firstName="Ann" surname="Example">\n'
        '        <Party paId="10" name="Conservative" abbreviation="C" votes="23397" />\n'
        "      </Candidate>\n"
        "    </Constituency>\n"
        "  </Election>\n" + (f"  <!-- {'x' * padding} -->\n" if padding else "") + "</FirstPastThePostResult>\n"
    ).encode()


def result_name(seat: str, revision: int = 1) -> str:
    return f"General_Election_result_{seat.replace(' ', '_')}_{revision}.xml"


@pytest.fixture
def feed(tmp_path: Path) -> Feed:
    return Feed(tmp_path / "server")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "inbox"
    path.mkdir(parents=True)
    return path


def make_server(kind: str, feed: Feed, tmp_path: Path) -> ServerProcess:
    """A read-only FTP (pyftpdlib) or SFTP (asyncssh) server on the feed's root, logging its requests; not started."""
    commands = tmp_path / "commands.log"
    args = ["--user", USER, "--password", PASSWORD, "--commands", str(commands)]
    public_key = None
    if kind == "sftp":
        import asyncssh

        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(tmp_path / "host_key")
        args += ["--host-key", str(tmp_path / "host_key")]
        public_key = key.export_public_key().decode().strip()
    server = ServerProcess(kind, feed.root, free_port(), args, tmp_path / f"{kind}.log")
    server.commands, server.public_key = commands, public_key
    return server


def address_of(server: ServerProcess, password: str = PASSWORD) -> FeedAddress:
    """The fetcher's address for a test server (SFTP: its host key pinned)."""
    url = f"{server.kind}://{USER}:{password}@127.0.0.1:{server.port}/live"
    return FeedAddress.from_url(url, host_key=server.public_key)


@pytest.fixture
def ftp_server(feed: Feed, tmp_path: Path) -> Iterator[ServerProcess]:
    """An FTP server (not yet started: tests choose its options)."""
    server = make_server("ftp", feed, tmp_path)
    yield server
    server.kill()


@pytest.fixture(params=["ftp", "sftp"])
def any_server(request, feed: Feed, tmp_path: Path) -> Iterator[ServerProcess]:
    """An FTP server, then an SFTP server (not yet started): what must hold for both protocols."""
    server = make_server(request.param, feed, tmp_path)
    yield server
    server.kill()


class Running:
    """A fetcher polling in a thread until the test ends."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher, self.stop = fetcher, threading.Event()
        self.thread = threading.Thread(target=fetcher.run, kwargs={"stop": self.stop}, daemon=True)
        self.thread.start()

    def end(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


@pytest.fixture
def start_fetcher(clean_db, inbox) -> Iterator:
    running: list[Running] = []

    def start(address: FeedAddress, poll: float = POLL, rescan: float = RESCAN_SECONDS) -> Running:
        client = open_client(address, timeout=5)
        r = Running(Fetcher(client, address, inbox, clean_db, poll_seconds=poll, rescan_seconds=rescan))
        running.append(r)
        return r

    yield start
    for r in running:
        r.end()


def inbox_files(inbox: Path) -> dict[str, bytes]:
    """Every file in the inbox with its bytes, as of one look."""
    files = {}
    for p in inbox.iterdir():
        try:
            files[p.name] = p.read_bytes()
        except FileNotFoundError:
            continue  # the fetcher's temporary file, renamed between the listing and the read: the next look has it
    return files


# --- FTP ----------------------------------------------------------------------------------


def test_ftp_files_arrive_once_each_whole_under_their_names(feed, ftp_server, inbox, start_fetcher, clean_db, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.fetch")
    ftp_server.start()
    nomination = "General_Election_nominations_Norwich_North_1.xml"
    feed.put("nominations", nomination, b"<Nominations/>\n")
    sent = {result_name("Norwich North"): message("Norwich North", 1)}
    feed.put("results", result_name("Norwich North"), sent[result_name("Norwich North")])
    r = start_fetcher(address_of(ftp_server))
    wait_for(lambda: len(inbox_files(inbox)) == 2, 15, "the first two files")
    # more files during the night, one of them a correction of a file already fetched
    for seat, rev in [("Blyth Valley", 1), ("Norwich North", 2), ("Chorley", 1)]:
        sent[result_name(seat, rev)] = message(seat, rev)
        feed.put("results", result_name(seat, rev), sent[result_name(seat, rev)])
        time.sleep(0.1)
    wait_for(lambda: len(inbox_files(inbox)) == 5, 15, "every file")
    time.sleep(4 * POLL)  # and nothing more comes
    r.end()
    assert inbox_files(inbox) == {nomination: b"<Nominations/>\n", **sent}
    assert sorted(r.fetcher.report.fetched) == sorted(inbox_files(inbox))  # once each
    assert r.fetcher.report.fetched[0] == nomination  # nominations before results
    # the server's modification time, as lftp mirror keeps it
    for name in sent:
        assert (inbox / name).stat().st_mtime == pytest.approx(
            (feed.root / "live/results" / name).stat().st_mtime, abs=1
        )
    with clean_db.connect() as conn:
        rows = conn.execute(text("select folder, file_name from pipeline.fetched_file")).all()
    assert sorted(rows) == sorted([("nominations", nomination)] + [("results", n) for n in sent])
    assert PASSWORD not in caplog.text
    assert "fetched results/" + result_name("Chorley") in caplog.text


def test_a_file_still_being_written_is_not_taken_until_complete(feed, any_server, inbox, start_fetcher):
    any_server.start()
    start_fetcher(address_of(any_server))
    name = result_name("Thurrock")
    whole = message("Thurrock", 1, padding=60_000)
    path = feed.root / "live" / "results" / name
    with open(path, "wb") as out:  # written in place, slowly, for about 3 s (ten polls)
        for i in range(0, len(whole), 1000):
            out.write(whole[i : i + 1000])
            out.flush()
            if i == 0:
                feed.stamp("results")
            time.sleep(3 / (len(whole) / 1000))
            assert name not in inbox_files(inbox), f"taken after {i} of {len(whole)} bytes"
    feed.stamp("results")
    wait_for(lambda: name in inbox_files(inbox), 10, "the finished file")
    time.sleep(4 * POLL)
    assert inbox_files(inbox) == {name: whole}


@pytest.mark.slow
def test_server_dropped_mid_download_then_back_the_file_arrives_whole_once(feed, any_server, inbox, start_fetcher):
    any_server.start(["--throttle", "40000"])  # 200 kB take about 5 s
    name = result_name("Kensington")
    big = message("Kensington", 1, padding=200_000)
    feed.put("results", name, big)
    r = start_fetcher(address_of(any_server))
    wait_for(
        lambda: any(p.name.startswith(".fetch-") and p.stat().st_size > 20_000 for p in inbox.iterdir()),
        20,
        "the download to be under way",
    )
    any_server.kill()
    time.sleep(2)
    assert name not in inbox_files(inbox)  # never half a file under its name
    any_server.start()  # back, unthrottled
    wait_for(lambda: name in inbox_files(inbox), 20, "the file after the server came back")
    time.sleep(4 * POLL)
    assert inbox_files(inbox) == {name: big}
    assert r.fetcher.report.fetched == [name] and r.fetcher.report.failures >= 1
    assert server_retrieved(any_server.commands, name) >= 2  # the first try was cut off
    assert not [p for p in inbox.iterdir() if p.name.startswith(".fetch-")]  # the cut-off download removed


@pytest.mark.slow
def test_logins_refused_for_10_s_then_accepted_nothing_is_lost(feed, any_server, inbox, start_fetcher, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.fetch")
    names = [result_name(s) for s in ("Ipswich", "Bassetlaw", "Peterborough")]
    for n in names:
        feed.put("results", n, message(n, 1))
    any_server.start(["--refuse-for", "10"])
    started = time.monotonic()
    r = start_fetcher(address_of(any_server))
    wait_for(lambda: len(inbox_files(inbox)) == 3, 40, "the files once logins are accepted")
    assert time.monotonic() - started >= 9.5  # none came while logins were refused
    for n in names[:2]:  # and what the server gets while the fetcher is back
        feed.put("results", n.replace("_1.xml", "_2.xml"), message(n, 2))
    wait_for(lambda: len(inbox_files(inbox)) == 5, 15, "the corrections")
    r.end()
    assert sorted(r.fetcher.report.fetched) == sorted(inbox_files(inbox))  # each once
    # retried while refused, but not hammered: at most 5 s apart once past the first few
    assert 3 <= r.fetcher.report.failures <= 8
    assert "login refused" in caplog.text
    assert PASSWORD not in caplog.text


# Requests an idle poll costs the server: FTP PASV and RETR of results/.timestamp (TYPE I
# is set once per connection); SFTP OPEN, one READ and CLOSE.
IDLE_POLL_REQUESTS = {"ftp": 2, "sftp": 3}
LISTINGS = ("MLSD", "LIST", "NLST", "READDIR")


def stamp_reads(commands: Path, folder: str) -> int:
    return server_retrieved(commands, f"{folder}/.timestamp")


def test_an_unchanged_timestamp_costs_one_read_per_poll_and_no_listing(feed, any_server, inbox, start_fetcher):
    any_server.start()
    first = ["General_Election_nominations_Chorley_1.xml", result_name("Chorley")]
    feed.put("nominations", first[0], b"<Nominations/>\n")
    feed.put("results", first[1], message("Chorley", 1))
    r = start_fetcher(address_of(any_server))
    wait_for(lambda: r.fetcher.report.fetched == first, 15, "the first files")
    time.sleep(2 * POLL)
    before, polls = server_commands(any_server.commands), r.fetcher.report.polls
    reads = {f: stamp_reads(any_server.commands, f) for f in ("results", "nominations")}
    time.sleep(10 * POLL)  # ten polls with nothing new
    quiet = server_commands(any_server.commands) - before
    polls = r.fetcher.report.polls - polls
    assert polls >= 8
    assert sum(quiet[c] for c in LISTINGS) == 0, quiet
    # one .timestamp read per poll, results/'s: the nominations/ one is not read while results/ is quiet
    assert polls - 1 <= stamp_reads(any_server.commands, "results") - reads["results"] <= polls + 1
    assert stamp_reads(any_server.commands, "nominations") == reads["nominations"]
    assert sum(quiet.values()) <= IDLE_POLL_REQUESTS[any_server.kind] * (polls + 1), quiet
    # a nomination and then a result: both .timestamps read, the nomination taken first
    nomination = "General_Election_nominations_Thurrock_1.xml"
    feed.put("nominations", nomination, b"<Nominations/>\n")
    feed.put("results", result_name("Thurrock"), message("Thurrock", 1))
    wait_for(lambda: len(r.fetcher.report.fetched) == 4, 15, "the next two files")
    assert r.fetcher.report.fetched[2:] == [nomination, result_name("Thurrock")]
    assert sum((server_commands(any_server.commands) - before)[c] for c in LISTINGS) >= 2


def test_a_folder_is_rescanned_on_time_even_with_its_timestamp_unchanged(feed, any_server, inbox, start_fetcher):
    any_server.start()
    start_fetcher(address_of(any_server), rescan=1.5)
    time.sleep(3 * POLL)
    # written without a .timestamp rewrite: only the rescan (the contract's once a minute; 1.5 s here) finds them
    for folder, name in [
        ("nominations", "General_Election_nominations_Ipswich_1.xml"),
        ("results", result_name("Ipswich")),
    ]:
        (feed.root / "live" / folder / name).write_bytes(message("Ipswich", 1))
    started = time.monotonic()
    wait_for(lambda: len(inbox_files(inbox)) == 2, 10, "the files the rescan finds")
    assert time.monotonic() - started <= 1.5 + 3 * POLL


def test_ftp_a_hostile_name_is_refused_and_nothing_is_written_outside_the_inbox(
    feed, ftp_server, inbox, start_fetcher, caplog
):
    caplog.set_level(logging.WARNING, logger="pipeline.fetch")
    (feed.root / "live" / "outside.xml").write_bytes(b"<not-in-results/>")  # what '../outside.xml' serves
    results = feed.root / "live" / "results"
    for hostile in ("back\\slash.xml", "bell\x07.xml", ".hidden.xml"):
        (results / hostile).write_bytes(b"<hostile/>")
    feed.put("results", result_name("Ipswich"), message("Ipswich", 1))
    ftp_server.start(["--hostile"])
    start_fetcher(address_of(ftp_server))
    wait_for(lambda: inbox_files(inbox), 15, "the genuine file")
    time.sleep(4 * POLL)
    assert set(inbox_files(inbox)) == {result_name("Ipswich")}
    assert sorted(p.name for p in inbox.parent.iterdir()) == ["inbox"]
    for shown in ("../outside.xml", "back\\\\slash.xml", "bell\\x07.xml", ".hidden.xml"):
        assert f"refused results/{shown}" in caplog.text
    assert caplog.text.count("refused results/../outside.xml") == 1  # logged once, not every poll


def test_ftp_a_restarted_fetcher_fetches_nothing_twice(feed, ftp_server, inbox, start_fetcher):
    ftp_server.start()
    names = [result_name(s) for s in ("Ipswich", "Bassetlaw")]
    for n in names:
        feed.put("results", n, message(n, 1))
    first = start_fetcher(address_of(ftp_server))
    wait_for(lambda: len(inbox_files(inbox)) == 2, 15, "the files")
    first.end()
    for p in inbox.iterdir():  # the ingest took them
        p.unlink()
    second = start_fetcher(address_of(ftp_server))
    time.sleep(8 * POLL)
    second.end()
    assert second.fetcher.report.listings >= 2 and second.fetcher.report.fetched == []
    assert inbox_files(inbox) == {}
    assert [server_retrieved(ftp_server.commands, n) for n in names] == [1, 1]


def test_ftp_a_file_over_the_size_bound_is_not_downloaded(feed, ftp_server, inbox, clean_db):
    ftp_server.start()
    feed.put("results", "General_Election_result_Huge_1.xml", message("Huge", 1, padding=5000))
    feed.put("results", result_name("Chorley"), message("Chorley", 1))
    address = address_of(ftp_server)
    fetcher = Fetcher(open_client(address, timeout=5), address, inbox, clean_db, poll_seconds=POLL, max_bytes=4000)
    report = fetcher.run_once()
    assert report.fetched == [result_name("Chorley")] and report.too_large == 1
    assert server_retrieved(ftp_server.commands, "General_Election_result_Huge_1.xml") == 0


def test_cli_fetch_once_exits_0_when_fetched_and_2_when_the_server_is_unreachable(
    feed, ftp_server, inbox, settings, engine, monkeypatch, capsys
):
    from pipeline.cli import main

    ftp_server.start()
    feed.put("results", result_name("Ipswich"), message("Ipswich", 1))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RESULTSNIGHT_INBOX", str(inbox))
    monkeypatch.setenv("RESULTSNIGHT_FETCH_POLL_SECONDS", str(POLL))
    monkeypatch.setenv("RESULTSNIGHT_FEED_URL", f"ftp://{USER}:{PASSWORD}@127.0.0.1:{ftp_server.port}/live")
    assert main(["fetch", "--once"]) == 0
    assert set(inbox_files(inbox)) == {result_name("Ipswich")}
    assert main(["fetch", "--once"]) == 0  # nothing new
    ftp_server.kill()
    assert main(["fetch", "--once"]) == 2
    err = capsys.readouterr().err
    assert "could not reach the server" in err and PASSWORD not in err


# --- SFTP ---------------------------------------------------------------------------------


@pytest.fixture
def sftp_server(feed: Feed, tmp_path: Path) -> Iterator[ServerProcess]:
    """An SFTP server, started."""
    server = make_server("sftp", feed, tmp_path).start()
    yield server
    server.kill()


def test_sftp_files_arrive_once_each_whole_under_their_names(feed, sftp_server, inbox, start_fetcher, tmp_path):
    sent = {result_name(s): message(s, 1) for s in ("Norwich North", "Blyth Valley")}
    for n, data in sent.items():
        feed.put("results", n, data)
    # the host key from a known_hosts file this time (a pinned key below)
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{sftp_server.port} {sftp_server.public_key}\n")
    address = FeedAddress.from_url(f"sftp://{USER}:{PASSWORD}@127.0.0.1:{sftp_server.port}/live", known_hosts=known)
    r = start_fetcher(address)
    wait_for(lambda: len(inbox_files(inbox)) == 2, 15, "the files")
    sent[result_name("Chorley")] = message("Chorley", 1)
    feed.put("results", result_name("Chorley"), sent[result_name("Chorley")])
    wait_for(lambda: len(inbox_files(inbox)) == 3, 15, "the next file")
    time.sleep(4 * POLL)
    r.end()
    assert inbox_files(inbox) == sent
    assert sorted(r.fetcher.report.fetched) == sorted(sent)


def test_sftp_an_unknown_host_key_is_refused_with_a_clear_error(feed, sftp_server, inbox, clean_db):
    import asyncssh

    feed.put("results", result_name("Ipswich"), message("Ipswich", 1))
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    address = FeedAddress.from_url(f"sftp://{USER}:{PASSWORD}@127.0.0.1:{sftp_server.port}/live", host_key=other)
    fetcher = Fetcher(open_client(address, timeout=5), address, inbox, clean_db, poll_seconds=POLL)
    with pytest.raises(FeedRefused, match="host key that is not the one configured"):
        fetcher.run_once()
    with pytest.raises(FeedRefused, match="host key that is not the one configured"):
        fetcher.run(seconds=5)  # the loop does not retry a server that is not ours
    assert inbox_files(inbox) == {}
    # and with no host key configured at all it refuses before connecting
    bare = FeedAddress.from_url(
        f"sftp://{USER}:{PASSWORD}@127.0.0.1:{sftp_server.port}/live", known_hosts=inbox / "no_such_known_hosts"
    )
    with pytest.raises(FeedRefused, match="no host key"):
        open_client(bare).connect()


def test_sftp_a_wrong_password_is_unavailable_not_a_crash(sftp_server):
    address = FeedAddress.from_url(
        f"sftp://{USER}:wrong@127.0.0.1:{sftp_server.port}/live", host_key=sftp_server.public_key
    )
    with pytest.raises(FeedUnavailable, match="login refused"):
        open_client(address, timeout=5).connect()


@pytest.mark.slow
def test_sftp_server_down_then_back_nothing_lost_nothing_twice(feed, sftp_server, inbox, start_fetcher, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.fetch")
    first = result_name("Ipswich")
    feed.put("results", first, message("Ipswich", 1))
    r = start_fetcher(address_of(sftp_server))
    wait_for(lambda: first in inbox_files(inbox), 15, "the first file")
    sftp_server.kill()
    later = result_name("Bassetlaw")
    feed.put("results", later, message("Bassetlaw", 1))  # written while the server is down
    time.sleep(3)
    sftp_server.start()
    wait_for(lambda: later in inbox_files(inbox), 20, "the file written while the server was down")
    time.sleep(4 * POLL)
    r.end()
    assert r.fetcher.report.fetched == [first, later] and r.fetcher.report.failures >= 1
    assert "trying again" in caplog.text and PASSWORD not in caplog.text


def test_a_fetched_night_ingests_as_the_same_files_dropped_into_the_inbox(
    feed, ftp_server, inbox, clean_db, settings, tmp_path
):
    """Server → fetch → ingest ends where an ingest of the very same files does: same seats, same alerts, once."""
    from collections import Counter

    from pipeline.ingest import ingest_paths
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_night
    from pipeline.schema import reset_night

    def outcome() -> tuple:
        with clean_db.connect() as conn:
            alerts = Counter(
                tuple(r) for r in conn.execute(text("select kind, gss_code, from_party, to_party from results.alerts"))
            )
            seats = sorted(
                tuple(r)
                for r in conn.execute(
                    text("select gss_code, status, winner_party from results.seat_status where status <> 'awaiting'")
                )
            )
        return alerts, seats

    night = tmp_path / "night"
    play(plan_night(only=["E14000575", "S14000009", "E14000768"]), night, speed=0, progress=False)
    # the replay's own .timestamp is no message: the feeder below writes the server's
    files = sorted((p for p in night.iterdir() if p.name != ".timestamp"), key=lambda p: p.stat().st_mtime_ns)
    ftp_server.start()
    for p in files:  # the agency's feeder: each file, then its folder's .timestamp
        feed.put("nominations" if "_nominations_" in p.name else "results", p.name, p.read_bytes())
    address = address_of(ftp_server)
    report = Fetcher(open_client(address, timeout=5), address, inbox, clean_db, poll_seconds=POLL).run_once()
    assert sorted(report.fetched) == sorted(p.name for p in files)
    ingest_paths(clean_db, [inbox], settings=settings)
    fetched = outcome()
    reset_night(clean_db)
    ingest_paths(clean_db, [night], settings=settings)
    assert fetched == outcome()
    assert sum(fetched[0].values()) > 0 and fetched[1]  # the night raised alerts and declared seats


def test_ftp_a_folder_without_a_timestamp_is_listed_every_poll_not_once_a_minute(
    feed, ftp_server, inbox, start_fetcher, caplog
):
    caplog.set_level(logging.WARNING, logger="pipeline.fetch")
    (feed.root / "live" / "results" / ".timestamp").unlink()
    ftp_server.start()
    start_fetcher(address_of(ftp_server))
    time.sleep(3 * POLL)
    name = result_name("Chorley")
    (feed.root / "live" / "results" / name).write_bytes(message("Chorley", 1))  # and no .timestamp written
    wait_for(lambda: name in inbox_files(inbox), 10, "the file without a .timestamp")
    assert caplog.text.count("results/ has no readable .timestamp") == 1


def test_a_download_left_by_a_killed_fetcher_is_removed_after_an_hour_and_files_are_readable(
    feed, ftp_server, inbox, clean_db
):
    import os

    stale, fresh = inbox / ".fetch-stale", inbox / ".fetch-fresh"
    for p in (stale, fresh):
        p.write_bytes(b"half a file")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    ftp_server.start()
    feed.put("results", result_name("Chorley"), message("Chorley", 1))
    address = address_of(ftp_server)
    umask = os.umask(0o022)  # the usual one, whatever this shell's is
    try:
        Fetcher(open_client(address, timeout=5), address, inbox, clean_db, poll_seconds=POLL).run_once()
    finally:
        os.umask(umask)
    assert not stale.exists() and fresh.exists()  # another fetcher's download may still be under way
    mode = (inbox / result_name("Chorley")).stat().st_mode & 0o777
    assert mode & 0o044 == 0o044  # readable by an ingest running as another user (not mkstemp's 0600)
