"""Frame building: the pandas frames a batch of declarations is validated as.

One row per declaration or nominations list (the `declarations` frame) and,
for results and nominations, one row per candidate line (the `candidates`
frame). Each frame carries a `row_id`
column that GX names failing rows by, so a failure maps back to its
declaration and candidate. A column here is a fact a rule may judge; a suite
entry naming any other column is refused when the suites load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.model import Candidate, Declaration, Nominations

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

DECLARATIONS = "declarations"
CANDIDATES = "candidates"

# The figures: float columns (a missing one is NaN), every other column of a declaration is text.
_NUMERIC_COLUMNS = (
    "n_candidates",
    "n_elected",
    "elected_votes",
    "max_votes",
    "valid_votes",
    "electorate",
    "turnout_pct",
    "agency_turnout_pct",
)
DECLARATION_COLUMNS = (
    "row_id",
    "source_format",
    "constituency_name",
    "declared_at",
    "election_id",
    "winning_party_label",
    "winning_party_code",
    *_NUMERIC_COLUMNS,
)
CANDIDATE_COLUMNS = (
    "row_id",
    "decl_row",
    "position",
    "name",
    "name_key",
    "party_key",
    "votes_raw",
    "votes",
    "elected",
)
TABLE_COLUMNS = {DECLARATIONS: DECLARATION_COLUMNS, CANDIDATES: CANDIDATE_COLUMNS}
CANDIDATE_KINDS = ("result", "nominations")  # the kinds whose candidates are a frame of their own

_NUMERIC = set(_NUMERIC_COLUMNS)
_CANDIDATE_DTYPES = {"row_id": "int64", "decl_row": "int64", "votes": "float64", "elected": "bool"}


@dataclass
class Frames:
    """A batch as GX sees it, and the way back from a candidate row to its declaration."""

    declarations: pd.DataFrame
    candidate_frame: pd.DataFrame
    candidates: list[tuple[int, Candidate]]  # candidate row_id -> (declaration position, candidate)

    def frame(self, table: str) -> pd.DataFrame:
        """The frame a suite of `table` runs on."""
        return self.declarations if table == DECLARATIONS else self.candidate_frame


def text(value: Any) -> str | None:
    """A present, non-blank string, else None (blank counts as missing)."""
    if value is None:
        return None
    value = str(value)
    return value if value.strip() else None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return float(value)
    return None


def name_key(candidate: Candidate) -> str:
    """The candidate's name with case and spacing ignored (duplicate detection)."""
    return " ".join(str(candidate.name or "").split()).casefold()


def party_key(candidate: Candidate) -> str:
    """The candidate's party as compared for duplicates."""
    return str(candidate.party_code or candidate.party_label or "").strip().casefold()


def electorate_of(declaration: Declaration) -> tuple[int | None, str]:
    """The electorate to check against and where it came from."""
    if declaration.electorate is not None:
        return declaration.electorate, "as given in the file"
    if declaration.registered_electorate is not None:
        return declaration.registered_electorate, "registered electorate from reference data"
    return None, "unknown"


def _declaration_row(d: Declaration | Nominations) -> dict[str, Any]:
    cands = d.candidates or []
    counted = [c.votes for c in cands if c.votes is not None]
    elected = [c for c in cands if c.elected]
    valid = sum(counted)
    electorate, _ = electorate_of(d)
    usable = electorate if electorate is not None and electorate > 0 else None
    return {
        "source_format": d.source_format,
        "constituency_name": text(d.constituency_name),
        "declared_at": d.declared_at.isoformat() if getattr(d, "declared_at", None) else None,  # nominations: none
        "election_id": text(d.election_id),
        "winning_party_label": text(getattr(d, "winning_party_label", None)),
        "winning_party_code": text(getattr(d, "winning_party_code", None)),
        "n_candidates": float(len(cands)),
        # with no candidates at all, "at least one candidate" is the whole story
        "n_elected": float(len(elected)) if cands else None,
        "elected_votes": _number(elected[0].votes) if len(elected) == 1 else None,
        "max_votes": float(max(counted)) if counted else None,
        "valid_votes": float(valid),
        "electorate": _number(electorate),
        "turnout_pct": valid / usable * 100 if usable and cands else None,
        "agency_turnout_pct": (
            d.turnout / usable * 100 if usable and _number(getattr(d, "turnout", None)) is not None else None
        ),
    }


def build_frames(batch: Sequence[Declaration | Nominations]) -> Frames:
    """The declarations frame and the candidates frame of one batch of one kind (nominations: one row per list)."""
    import pandas as pd

    columns: dict[str, list] = {name: [] for name in DECLARATION_COLUMNS}
    cand_columns: dict[str, list] = {name: [] for name in CANDIDATE_COLUMNS}
    candidates: list[tuple[int, Candidate]] = []
    for row, d in enumerate(batch):
        columns["row_id"].append(row)
        for name, value in _declaration_row(d).items():
            columns[name].append(value)
        for c in d.candidates or []:
            values = {
                "row_id": len(candidates),
                "decl_row": row,
                "position": c.position,
                "name": c.name,
                "name_key": name_key(c),
                "party_key": party_key(c),
                "votes_raw": c.votes_raw,
                "votes": _number(c.votes),
                "elected": bool(c.elected),
            }
            for name, value in values.items():
                cand_columns[name].append(value)
            candidates.append((row, c))

    declarations = pd.DataFrame(
        {name: pd.Series(values, dtype="float64" if name in _NUMERIC else "object") for name, values in columns.items()}
    )
    declarations["row_id"] = declarations["row_id"].astype("int64")
    candidate_frame = pd.DataFrame(
        {name: pd.Series(values, dtype=_CANDIDATE_DTYPES.get(name, "object")) for name, values in cand_columns.items()}
    )
    return Frames(declarations, candidate_frame, candidates)
