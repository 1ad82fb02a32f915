"""Processes of the local stack: a free port to start one on, whether a process group is alive,
waiting for groups to end, killing task processes.

Linux's /proc is read directly (zombies hold nothing and do not count as alive).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_gone(groups: dict[str, int], timeout: float) -> dict[str, int]:
    """Wait up to `timeout` for process groups to end; return those still alive."""
    deadline = time.monotonic() + timeout
    while True:
        groups = {n: p for n, p in groups.items() if group_alive(p)}
        if not groups or time.monotonic() >= deadline:
            return groups
        time.sleep(0.2)


def kill_tasks(task_ids: set[str]) -> None:
    """SIGKILL the process groups of the task processes running these task instances (`airflow worker -- <id>`)."""
    if not task_ids:
        return
    left = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            words = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
        except OSError:
            continue
        if any(word in task_ids for word in words[-2:]):
            pid = int(proc.name)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # the task's group: its supervisor leads one of its own
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            left.append(pid)
    deadline = time.monotonic() + 10
    while left and time.monotonic() < deadline:
        left = [pid for pid in left if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
        time.sleep(0.05)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (zombies, which hold nothing, do not count)."""
    with contextlib.suppress(ChildProcessError):  # not our child (started by another command)
        os.waitpid(pgid, os.WNOHANG)  # reap the leader if it is our exited child
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True  # not Linux: the signal test above is all there is
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ')'
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
