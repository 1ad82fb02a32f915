"""Real FTP (pyftpdlib) and SFTP (asyncssh) servers on 127.0.0.1 for the fetcher's tests, each in a process of its own.

A process, not a thread: a test kills it (SIGKILL, as a server crash or a
network cut looks to the client) and starts it again on the same port.
Each server appends every request it receives to a file (FTP: its commands;
SFTP: OPEN, READ, CLOSE, READDIR, STAT … with the path), so a test can count
the listings and downloads it saw. Run as `python -m tests.feed_servers ftp|sftp ...`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class Feed:
    """The server's side of the feed: a root with live/results and live/nominations, written as the agency does."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("results", "nominations"):
            (root / "live" / folder).mkdir(parents=True, exist_ok=True)
            self.stamp(folder)

    def stamp(self, folder: str) -> None:
        """Rewrite the folder's .timestamp (seconds since the epoch with a fraction, as text)."""
        (self.root / "live" / folder / ".timestamp").write_text(f"{time.time():.5f}")

    def put(self, folder: str, name: str, data: bytes) -> Path:
        """The file, then its folder's .timestamp."""
        path = self.root / "live" / folder / name
        path.write_bytes(data)
        self.stamp(folder)
        return path


def wait_for(check, timeout: float, what: str, every: float = 0.05):
    """check()'s first true answer, looking every `every` seconds; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


class ServerProcess:
    """One feed server process: start, kill (as a crash), start again on the same port."""

    def __init__(self, kind: str, root: Path, port: int, args: list[str], log: Path) -> None:
        self.kind, self.root, self.port, self.args, self.log = kind, root, port, args, log
        self.proc: subprocess.Popen | None = None

    def start(self, extra: list[str] | None = None) -> ServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "tests.feed_servers",
            self.kind,
            "--root",
            str(self.root),
            "--port",
            str(self.port),
            *self.args,
            *(extra or []),
        ]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.kind} server did not listen on {self.port}")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None


def server_commands(path: Path) -> Counter:
    """How many of each request (FTP: LIST, MLSD, RETR …; SFTP: OPEN, READ, READDIR …) the server received."""
    if not path.exists():
        return Counter()
    return Counter(line.split(" ", 1)[0] for line in path.read_text(errors="replace").splitlines() if line)


def server_retrieved(path: Path, name: str) -> int:
    """How many times the server was asked for a file of this name (FTP RETR, SFTP OPEN)."""
    if not path.exists():
        return 0
    return sum(
        1
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith(("RETR ", "OPEN ")) and line.endswith("/" + name)
    )


def _logger(path: Path):
    """A function appending one request line to the server's request log."""

    def log(request: str, arg: str = "") -> None:
        with open(path, "a", encoding="utf-8", errors="replace") as out:
            out.write(f"{request} {arg}".rstrip() + "\n")

    return log


def _serve_ftp(opts: argparse.Namespace) -> None:
    from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
    from pyftpdlib.filesystems import AbstractedFS
    from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
    from pyftpdlib.servers import FTPServer

    refuse_until = time.time() + opts.refuse_for
    log = _logger(opts.commands)

    class Authorizer(DummyAuthorizer):
        def validate_authentication(self, username, password, handler):
            if time.time() < refuse_until:
                raise AuthenticationFailed("logins refused for now")
            super().validate_authentication(username, password, handler)

    class FS(AbstractedFS):
        # A hostile server: a listing of results/ also names '../outside.xml',
        # a real file one folder up, as a server that lets names be paths would.
        def listdir(self, path):
            names = super().listdir(path)
            if opts.hostile and os.path.basename(path) == "results":
                names.append("../outside.xml")
            return names

    class Handler(FTPHandler):
        def pre_process_command(self, line, cmd, arg):
            log(cmd, arg or "")
            super().pre_process_command(line, cmd, arg)

    authorizer = Authorizer()
    authorizer.add_user(opts.user, opts.password, str(opts.root), perm="elr")  # read-only
    Handler.authorizer = authorizer
    Handler.abstracted_fs = FS
    Handler.auth_failed_timeout = 0.05
    Handler.passive_ports = None
    if opts.throttle:
        ThrottledDTPHandler.write_limit = opts.throttle  # server to client
        Handler.dtp_handler = ThrottledDTPHandler
    server = FTPServer(("127.0.0.1", opts.port), Handler)
    server.serve_forever()


def _serve_sftp(opts: argparse.Namespace) -> None:
    import asyncio

    import asyncssh

    refuse_until = time.time() + opts.refuse_for
    log = _logger(opts.commands)

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username):
            return True

        def password_auth_supported(self):
            return True

        def validate_password(self, username, password):
            if time.time() < refuse_until:
                return False  # logins refused for now
            return username == opts.user and password == opts.password

    class ChrootSFTP(asyncssh.SFTPServer):
        """The feed's root as the client's /, every request logged; downloads throttled with --throttle."""

        def __init__(self, chan):
            super().__init__(chan, chroot=str(opts.root).encode())
            self._paths: dict[int, str] = {}
            self._throttle = asyncio.Lock()  # one read at a time, so parallel reads share the limit

        def open(self, path, pflags, attrs):
            log("OPEN", path.decode(errors="replace"))
            f = super().open(path, pflags, attrs)
            self._paths[id(f)] = path.decode(errors="replace")
            return f

        async def read(self, file_obj, offset, size):
            log("READ", self._paths.get(id(file_obj), ""))
            data = super().read(file_obj, offset, size)
            if opts.throttle:
                async with self._throttle:
                    await asyncio.sleep(len(data) / opts.throttle)
            return data

        def close(self, file_obj):
            log("CLOSE", self._paths.pop(id(file_obj), ""))
            return super().close(file_obj)

        def scandir(self, path):
            log("READDIR", path.decode(errors="replace"))
            return super().scandir(path)

        def stat(self, path):
            log("STAT", path.decode(errors="replace"))
            return super().stat(path)

        def lstat(self, path):
            log("LSTAT", path.decode(errors="replace"))
            return super().lstat(path)

        def fstat(self, file_obj):
            log("FSTAT", self._paths.get(id(file_obj), ""))
            return super().fstat(file_obj)

    async def main():
        await asyncssh.listen(
            "127.0.0.1",
            opts.port,
            server_host_keys=[str(opts.host_key)],
            server_factory=Server,
            sftp_factory=ChrootSFTP,
            allow_scp=False,
        )
        await asyncio.Event().wait()

    asyncio.run(main())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["ftp", "sftp"])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--commands", type=Path, default=Path(os.devnull))
    parser.add_argument("--refuse-for", type=float, default=0.0)
    parser.add_argument("--throttle", type=int, default=0, help="bytes per second per download")
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--host-key", type=Path)
    opts = parser.parse_args()
    (_serve_ftp if opts.kind == "ftp" else _serve_sftp)(opts)
