"""A real FTP server (pyftpdlib) on 127.0.0.1 serving a replayed feed, as the agency's server does, for `make demo`.

    python -m pipeline.rehearsal.ftp_server --root DIR --port N   # user and password from the environment

`make deploy-test` runs it as the agency's server in a container of its own
(`--host 0.0.0.0`, reached only on the compose network).

The account is read-only (list and retrieve), like the agency's: the fetcher
never writes or deletes on the server. The password comes from
RESULTSNIGHT_DEMO_FTP_PASSWORD, never the command line (which `ps` shows).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PASSWORD_VARIABLE = "RESULTSNIGHT_DEMO_FTP_PASSWORD"  # noqa: S105 - the variable's name, not a password


def start(root: Path, port: int, user: str, password: str, log: Path, timeout: float = 20) -> subprocess.Popen:
    """Start the server in a process group of its own; return once it listens."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline.rehearsal.ftp_server",
                "--root",
                str(root),
                "--port",
                str(port),
                "--user",
                user,
            ],
            env={**os.environ, PASSWORD_VARIABLE: password},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the FTP server exited; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the FTP server did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def serve(root: Path, port: int, user: str, password: str, host: str = "127.0.0.1") -> None:
    """Serve `root` read-only to one user on `host` (127.0.0.1 unless told) until killed."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer

    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, str(root), perm="elr")  # list and retrieve only
    handler = type("FeedHandler", (FTPHandler,), {"authorizer": authorizer, "banner": "resultsnight demo feed"})
    FTPServer((host, port), handler).serve_forever()


def main() -> None:
    """Entry point for `python -m pipeline.rehearsal.ftp_server`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", default="feed")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 inside a container)")
    args = parser.parse_args()
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password:
        raise SystemExit(f"set {PASSWORD_VARIABLE}: the demo feed's password is never on the command line")
    serve(args.root, args.port, args.user, password, args.host)


if __name__ == "__main__":
    main()
