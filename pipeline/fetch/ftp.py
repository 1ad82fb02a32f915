"""The feed over FTP, with the standard library's ftplib.

Why not Airflow's ftp provider: pipeline/ never imports airflow (the CLI and
the tests run without it), and its FTPHook wraps this same ftplib without the
two things the loop needs: a download that stops at a size bound, and a
listing with sizes and times in one request (MLSD). ftplib gives both, with no
extra dependency.
"""

from __future__ import annotations

import calendar
import ftplib
import time
from typing import BinaryIO

from pipeline.exceptions import FeedLoginRefused, FeedUnavailable
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.client import RemoteFile, SessionClient

_CHUNK = 64 * 1024


def _mlsd_time(value: str) -> float:
    """An MLSD/MDTM time ('20191213011400' or with '.123') as seconds since the epoch (UTC)."""
    whole, _, fraction = value.partition(".")
    seconds = calendar.timegm(time.strptime(whole[:14], "%Y%m%d%H%M%S"))
    return seconds + (float(f"0.{fraction}") if fraction.isdigit() else 0.0)


class FTPFeedClient(SessionClient):
    """A FeedClient over FTP (passive mode, binary transfers)."""

    def __init__(self, address: FeedAddress, timeout: float) -> None:
        self.address = address
        self.timeout = timeout
        self._live: ftplib.FTP | None = None
        self._mlsd = True  # until the server says it has no MLSD
        self._binary = False  # ftplib's listings switch to TYPE A; downloads must be TYPE I

    def _fail(self, what: str, exc: BaseException, kind: type[FeedUnavailable] = FeedUnavailable) -> FeedUnavailable:
        self.close()
        reply = str(exc).strip() or type(exc).__name__
        return kind(f"{self.address.label}: {what}: {reply}")

    def connect(self) -> None:
        """Connect and log in."""
        self.close()
        ftp = ftplib.FTP(timeout=self.timeout)  # noqa: S321 - the agency serves its feed over FTP (SFTP: fetch/sftp.py)
        try:
            ftp.connect(self.address.host, self.address.port)
            ftp.login(self.address.user, self.address.password or "")
        except ftplib.error_perm as exc:
            ftp.close()
            raise self._fail("login refused", exc, FeedLoginRefused) from None
        except (*ftplib.all_errors, UnicodeError) as exc:
            ftp.close()
            raise self._fail("cannot connect", exc) from None
        self._live = ftp

    def close(self) -> None:
        """Drop the connection."""
        ftp, self._live, self._binary = self._live, None, False
        if ftp is not None:
            ftp.close()  # no QUIT: the connection may be dead already, and close() cannot fail

    def list_folder(self, path: str) -> list[RemoteFile]:
        """Regular files in the folder, by MLSD (or NLST, SIZE and MDTM on a server without it)."""
        ftp = self._session()
        self._binary = False
        try:
            if self._mlsd:
                try:
                    return [
                        RemoteFile(name, int(facts["size"]), _mlsd_time(facts["modify"]))
                        for name, facts in ftp.mlsd(path, facts=["type", "size", "modify"])
                        if facts.get("type", "").lower() == "file" and "size" in facts and "modify" in facts
                    ]
                except ftplib.error_perm as exc:
                    if not str(exc).startswith(("500", "502")):
                        raise
                    self._mlsd = False
            return self._list_without_mlsd(ftp, path)
        except ftplib.error_perm as exc:
            if str(exc).startswith("550"):
                return []  # no such folder (yet)
            raise self._fail(f"cannot list {path}", exc) from None
        except (*ftplib.all_errors, UnicodeError) as exc:
            raise self._fail(f"cannot list {path}", exc) from None

    def _list_without_mlsd(self, ftp: ftplib.FTP, path: str) -> list[RemoteFile]:
        files = []
        for entry in ftp.nlst(path):
            # servers answer NLST of a folder with bare names or with the folder prefixed
            name = entry[len(path) + 1 :] if entry.startswith(path + "/") else entry
            try:
                size = ftp.size(f"{path}/{name}")
                modified = ftp.voidcmd(f"MDTM {path}/{name}").split()[-1]
            except ftplib.error_perm:
                continue  # a folder, or gone since the NLST
            if size is not None:
                files.append(RemoteFile(name, int(size), _mlsd_time(modified)))
        return files

    def download(self, path: str, out: BinaryIO, limit: int) -> int | None:
        """Copy the file into out, stopping after limit bytes; its length, or None when it is gone."""
        ftp = self._session()
        length = 0
        try:
            if not self._binary:
                ftp.voidcmd("TYPE I")  # ASCII mode would rewrite line ends: not the server's bytes
                self._binary = True
            with ftp.transfercmd(f"RETR {path}") as conn:
                while chunk := conn.recv(_CHUNK):
                    out.write(chunk[: limit + 1 - length])
                    length += len(chunk)
                    if length > limit:
                        break
            if length > limit:
                # Cut short: the server's reply to the aborted transfer varies,
                # so start the next request on a fresh connection.
                self.close()
                return limit + 1
            ftp.voidresp()
        except ftplib.error_perm as exc:
            if str(exc).startswith("550"):
                return None
            raise self._fail(f"cannot download {path}", exc) from None
        except (*ftplib.all_errors, UnicodeError) as exc:
            raise self._fail(f"cannot download {path}", exc) from None
        return length
