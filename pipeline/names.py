"""Folding names so that feeds' spellings of one seat or party compare equal."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> str:
    """A matching key: case, accents, '&'/'and', punctuation and spacing removed.

    'Ynys Môn', 'YNYS MON' and 'Ynys  Mon' give 'ynys mon'; 'Birmingham, Hall
    Green' and 'Birmingham Hall Green' agree; 'Lab Co-op' gives 'lab co op'.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = stripped.lower().replace("&", " and ")
    return _NON_ALNUM.sub(" ", lowered).strip()
