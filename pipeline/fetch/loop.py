"""The polling loop: results/.timestamp every poll, a listing when a .timestamp changes, stable files into the inbox."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import MAX_FILE_BYTES
from pipeline.exceptions import FeedLoginRefused, FeedUnavailable
from pipeline.fetch.names import TIMESTAMP, printable, refusal
from pipeline.fetch.record import load_fetched, record_fetched
from pipeline.fetch.state import FetchReport, FolderState, Hashing
from pipeline.model import FeedFolder

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sqlalchemy.engine import Engine

    from pipeline.fetch.address import FeedAddress
    from pipeline.fetch.client import FeedClient, RemoteFile


log = logging.getLogger("pipeline.fetch")

# Nominations first: a result names candidates its nomination introduced.
FOLDERS = tuple(FeedFolder)  # nominations/ before results/
# The folder whose .timestamp every poll reads; the night's files come there.
WATCHED = FeedFolder.RESULTS
# A folder is listed at least this often even when its .timestamp says nothing changed.
RESCAN_SECONDS = 60.0
# A .timestamp is a number as text; anything longer is not read further.
TIMESTAMP_LIMIT = 256
# In-flight downloads in the inbox; one left by a killed fetcher is removed after an hour.
TEMP_PREFIX, STALE_TEMP_SECONDS = ".fetch-", 3600.0
# A new or changing file is taken once two listings agree on its size and
# time; the second listing comes this soon (or a poll later, if sooner) rather
# than a whole poll later. The agency rewrites .timestamp once the file is
# complete, so the second look is a safeguard; should it ever take a file whose
# writer paused longer than this, the file's next size is a new version,
# fetched again, and the ingest holds back a message that ends early.
RECHECK_SECONDS = 0.25
# Reconnecting after a failure: at once when a working connection drops, then
# 0.5 s doubling, at most a poll apart while the server cannot be reached (a
# refused connection costs it nothing, and the backlog comes in the sooner it
# is back), at most 5 s apart while it refuses logins (12 a minute: servers
# ban addresses that fail logins fast).
BACKOFF_FIRST, BACKOFF_LOGIN_MAX = 0.5, 5.0


class Fetcher:
    """Pulls the feed's folders into the inbox; only reads from the server."""

    def __init__(
        self,
        client: FeedClient,
        address: FeedAddress,
        inbox: Path,
        engine: Engine,
        poll_seconds: float = 1.0,
        rescan_seconds: float = RESCAN_SECONDS,
        max_bytes: int = MAX_FILE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client, self.address, self.inbox, self.engine = client, address, inbox, engine
        self.poll_seconds, self.rescan_seconds, self.max_bytes, self.clock = (
            poll_seconds,
            rescan_seconds,
            max_bytes,
            clock,
        )
        self.inbox.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()
        umask = os.umask(0o022)
        os.umask(umask)
        self._file_mode = 0o666 & ~umask  # what an ordinary write into the inbox would get
        self.fetched = load_fetched(engine, address.label)
        self.folders = {name: FolderState() for name in FOLDERS}
        self.report = FetchReport()

    def _remove_stale_temporaries(self) -> None:
        # A fetcher killed mid-download leaves its hidden file behind; one
        # untouched for an hour belongs to no live download.
        cutoff = time.time() - STALE_TEMP_SECONDS
        for p in self.inbox.glob(TEMP_PREFIX + "*"):
            try:
                if p.stat().st_mtime < cutoff:
                    p.unlink()
                    log.info("removed %s, left in the inbox by a fetcher that stopped mid-download", p.name)
            except FileNotFoundError:
                pass  # another fetcher removed it first

    def poll(self, force_list: bool = False) -> list[str]:
        """One poll of both folders (nominations first); the names brought in. Raises FeedUnavailable.

        An idle poll reads one .timestamp, results/'s: the other folders'
        .timestamps are read when it changed (so a nomination written before
        a result is still taken first), when a listing of theirs is due (once
        a minute) or waits for a second look, and every poll for a folder
        without a readable one.
        """
        got: list[str] = []
        self.report.polls += 1
        stamps = {WATCHED: self._stamp(WATCHED)}
        busy = force_list or stamps[WATCHED] is None or stamps[WATCHED] != self.folders[WATCHED].stamp
        for folder in FOLDERS:
            state, path = self.folders[folder], self.address.folder(folder)
            now = self.clock()
            due = state.listed_at is None or now - state.listed_at >= self.rescan_seconds
            if folder not in stamps:
                if not (busy or due or state.recheck or state.stamp is None):
                    continue  # quiet: its .timestamp is not even read
                stamps[folder] = self._stamp(folder)
            stamp = stamps[folder]
            # No .timestamp to watch (a server that does not write one, a
            # folder not there yet): list every poll rather than wait a minute.
            due = due or stamp is None
            if not (force_list or due or state.recheck or stamp != state.stamp):
                continue  # the one request an idle poll makes
            listing = self.client.list_folder(path)
            self.report.listings += 1
            log.debug("listed %s/: %d entries (.timestamp %s)", folder, len(listing), stamp != state.stamp)
            state.stamp, state.listed_at = stamp, now
            got += self._take(folder, path, state, listing)
        return got

    def _stamp(self, folder: str) -> bytes | None:
        """A folder's .timestamp (None, logged once, when it has none)."""
        self.report.stamp_reads += 1
        stamp = self.client.read_small(f"{self.address.folder(folder)}/{TIMESTAMP}", TIMESTAMP_LIMIT)
        state = self.folders[folder]
        if stamp is None and not state.no_stamp_logged:
            state.no_stamp_logged = True
            log.warning("%s/ has no readable %s: listing it every poll instead", folder, TIMESTAMP)
        return stamp

    def _take(self, folder: str, path: str, state: FolderState, listing: list[RemoteFile]) -> list[str]:
        got, current, recheck = [], {}, False
        for f in sorted(listing, key=lambda f: (f.mtime, f.name)):
            if f.name == TIMESTAMP:
                continue
            why = refusal(f.name)
            if why is not None:
                if f.name not in state.refused:
                    state.refused.add(f.name)
                    self.report.refused += 1
                    log.warning("refused %s/%s from the server: %s; not written", folder, printable(f.name), why)
                continue
            current[f.name] = f
            if self.fetched.has(folder, f):
                continue
            if f.size > self.max_bytes:
                if (f.name, f.version) not in state.too_large:
                    state.too_large.add((f.name, f.version))
                    self.report.too_large += 1
                    log.warning(
                        "not downloading %s/%s: %d bytes, over the bound of %d", folder, f.name, f.size, self.max_bytes
                    )
                continue
            before = state.seen.get(f.name)
            if before is None or before.version != f.version:
                recheck = True  # new, or still being written: taken once two listings agree
                continue
            outcome = self._download(folder, path, f)
            if outcome == "changed":
                recheck = True
            elif outcome == "fetched":
                got.append(f.name)
        state.seen, state.recheck = current, recheck
        return got

    def _download(self, folder: str, path: str, f: RemoteFile) -> str:
        # A hidden name of its own (the inbox ignores dot files), short (a long
        # server name plus a suffix could pass the file system's limit) and
        # unique, so a second fetcher on the same inbox (a `resultsnight fetch`
        # beside the DAG) never writes into this one's download.
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.inbox)
        tmp = Path(tmp_name)
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                length = self.client.download(f"{path}/{f.name}", Hashing(out, digest), f.size)
                if length == f.size:
                    out.flush()
                    os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if length != f.size:
            tmp.unlink(missing_ok=True)
            if length is None:
                log.info("%s/%s is gone from the server or not readable; skipped", folder, f.name)
                return "gone"
            log.info(
                "%s/%s changed while downloading (%d bytes listed, %s read); looking again",
                folder,
                f.name,
                f.size,
                "more" if length > f.size else length,
            )
            return "changed"
        sha256 = digest.hexdigest()
        if self.fetched.latest_sha256.get((folder, f.name)) == sha256:
            tmp.unlink()
            outcome = "same"
            self.report.same_bytes += 1
            log.info("%s/%s was touched on the server, its bytes unchanged: not delivered again", folder, f.name)
        else:
            # The server's modification time, as `lftp mirror` keeps it: the
            # ingest takes a rush's time from its file.
            os.chmod(tmp, self._file_mode)  # mkstemp's 0600 would hide it from an ingest running as another user
            os.utime(tmp, (f.mtime, f.mtime))
            os.replace(tmp, self.inbox / f.name)
            outcome = "fetched"
            self.report.fetched.append(f.name)
            log.info("fetched %s/%s (%d bytes)", folder, f.name, f.size)
        # Recorded after the rename: a crash in between delivers the file again
        # on restart, which the ingest takes as the duplicate it is; the other
        # order could lose it.
        record_fetched(self.engine, self.address.label, folder, f, sha256)
        self.fetched.add(folder, f, sha256)
        return outcome

    def run(self, stop: threading.Event | None = None, seconds: float | None = None) -> FetchReport:
        """Poll until stopped (or for so many seconds), reconnecting with backoff; never gives up on the server."""
        stop = stop or threading.Event()
        deadline = None if seconds is None else self.clock() + seconds
        connected, failures = False, 0
        while not stop.is_set() and (deadline is None or self.clock() < deadline):
            started = self.clock()
            try:
                if not connected:
                    self.client.connect()
                    connected = True
                    if failures:
                        log.info("connected to %s again after %d failed attempts", self.address.label, failures)
                    else:
                        log.info("connected to %s; polling every %.1f s", self.address.label, self.poll_seconds)
                self.poll()
                failures = 0  # after a poll, not a login: a server that drops every poll is not retried at once
            except FeedUnavailable as exc:
                self.client.close()
                failures += 1
                self.report.failures += 1
                cap = BACKOFF_LOGIN_MAX if isinstance(exc, FeedLoginRefused) else max(self.poll_seconds, BACKOFF_FIRST)
                wait = 0.0 if failures == 1 and connected else min(BACKOFF_FIRST * 2 ** (failures - 1), cap)
                connected = False
                # Every attempt while few, then one line in twenty: a long outage is not a flood.
                level = logging.WARNING if failures <= 3 or failures % 20 == 0 else logging.DEBUG
                log.log(level, "%s; trying again in %.1f s (attempt %d)", exc, wait, failures)
                stop.wait(wait)
                continue
            every = self.poll_seconds
            if any(s.recheck for s in self.folders.values()):
                every = min(every, RECHECK_SECONDS)
            stop.wait(max(0.0, every - (self.clock() - started)))
        self.client.close()
        return self.report

    def run_once(self) -> FetchReport:
        """One pass: list both folders, and again a poll later for files that were new; raises FeedUnavailable."""
        try:
            self.client.connect()
            self.poll(force_list=True)
            if any(s.recheck for s in self.folders.values()):
                time.sleep(min(self.poll_seconds, RECHECK_SECONDS))
                self.poll(force_list=True)
        finally:
            self.client.close()
        return self.report
