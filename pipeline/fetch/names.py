"""Which file names from the server may become files in the inbox."""

from __future__ import annotations

import unicodedata

# The agency's own marker file in each folder; read, never written into the inbox.
TIMESTAMP = ".timestamp"
# The longest name most file systems accept, in bytes of UTF-8.
MAX_NAME_BYTES = 255


def refusal(name: str) -> str | None:
    """Why a server file name must not be written into the inbox, or None when it is a plain base name."""
    # The server chooses these names; a name that is a path, or that the
    # inbox would treat as hidden, could land outside the inbox or be a
    # temporary of ours. Refuse rather than rewrite: a rewritten name could
    # collide with a genuine file.
    if not name:
        return "empty name"
    if name in (".", ".."):
        return "names a folder, not a file"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        return "contains a control or unassigned character"
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes"
    if name.startswith("."):
        return "hidden name (leading dot): the inbox's in-flight temporaries look like this"
    return None


def printable(name: str, limit: int = 120) -> str:
    """The name as safe to put in a log line: control characters escaped, long names cut."""
    shown = name.encode("unicode_escape", "backslashreplace").decode("ascii")
    return shown if len(shown) <= limit else shown[:limit] + f"… ({len(name)} characters)"
