"""Real FTP (pyftpdlib) and SFTP (asyncssh) servers on 127.0.0.1 for the fetcher's tests, each in a process of its own.

A process, not a thread: a test kills it (SIGKILL, as a server crash or a
network cut looks to the client) and starts it again on the same port.
The FTP server appends every command it receives to a file, so a test can
count the listings it saw. Run as `python -m tests.feed_servers ftp|sftp ...`.
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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def ftp_commands(path: Path) -> Counter:
    """How many of each command (LIST, MLSD, RETR …) the FTP server received."""
    if not path.exists():
        return Counter()
    return Counter(line.split(" ", 1)[0] for line in path.read_text(errors="replace").splitlines() if line)


def ftp_retrieved(path: Path, name: str) -> int:
    """How many times the FTP server was asked for a file of this name (RETR)."""
    if not path.exists():
        return 0
    return sum(
        1
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("RETR ") and line.endswith("/" + name)
    )


def _serve_ftp(opts: argparse.Namespace) -> None:
    from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
    from pyftpdlib.filesystems import AbstractedFS
    from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
    from pyftpdlib.servers import FTPServer

    refuse_until = time.time() + opts.refuse_for

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
            with open(opts.commands, "a", encoding="utf-8", errors="replace") as log:
                log.write(f"{cmd} {arg or ''}".rstrip() + "\n")
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

    class Server(asyncssh.SSHServer):
        def begin_auth(self, username):
            return True

        def password_auth_supported(self):
            return True

        def validate_password(self, username, password):
            return username == opts.user and password == opts.password

    class ChrootSFTP(asyncssh.SFTPServer):
        def __init__(self, chan):
            super().__init__(chan, chroot=str(opts.root).encode())

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
