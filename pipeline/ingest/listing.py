"""Listing the files a run is given (folders, names), oldest first; links refused, never followed."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.arrival import TIMESTAMP, may_be_message

log = logging.getLogger("resultsnight.ingest")

SYMLINK_REASON = (
    "refused: a symbolic link is never followed (it could point at any file on the machine); "
    "left in place and not read: put the file itself in the inbox"
)


def refused_links(paths: Iterable[Path]) -> list[Path]:
    """Symbolic links among the given paths and in the given folders (hidden ones skipped): never read."""
    links = []
    for p in paths:
        if p.is_symlink():
            links.append(p)
        elif p.is_dir():
            links += sorted(c for c in p.iterdir() if c.is_symlink() and not c.name.startswith("."))
    return links


def list_files(paths: Iterable[Path]) -> list[Path]:
    """Regular files under the given paths, oldest first; hidden (in-flight) files, `.timestamp` and links skipped."""
    found: dict[Path, Path] = {}
    for p in paths:
        if p.is_symlink():
            continue  # reported by refused_links
        if p.is_dir():
            for child in p.iterdir():
                if not child.is_symlink() and child.is_file() and may_be_message(child.name):
                    found[child.resolve()] = child
        elif p.is_file() and p.name == TIMESTAMP:
            log.info("skipping %s: the agency's .timestamp is not a message", p)
        elif p.is_file():
            found[p.resolve()] = p
        else:
            log.warning("skipping %s: not a file or folder", p)

    def order(path: Path) -> tuple[int, str]:
        try:
            return (path.stat().st_mtime_ns, path.name)
        except FileNotFoundError:
            return (0, path.name)

    return sorted(found.values(), key=order)


def display_name(path: Path) -> str:
    """The file's name as text the database can hold: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path.name).decode("utf-8", "replace")
