"""A Democracy Club results CSV into Declarations: one row per candidate, many constituencies per file."""

from __future__ import annotations

import csv
import io

from pipeline.exceptions import IncompleteFile, MalformedFile
from pipeline.model import Candidate, Declaration, MessageKind, SourceFormat
from pipeline.parse.common import whole_number

DC_REQUIRED = ("election_id", "person_name", "party_name", "votes_cast", "elected")


def parse_dc_csv(body: bytes) -> list[Declaration]:
    """Parse a Democracy Club results CSV: one row per candidate, many constituencies per file."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"the CSV is not UTF-8 ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    missing = [c for c in DC_REQUIRED if c not in columns]
    if missing or not ({"gss", "post_label", "ballot_paper_id"} & columns):
        need = missing or ["gss or post_label or ballot_paper_id"]
        raise MalformedFile(f"not a Democracy Club results CSV: missing column(s) {', '.join(need)}")
    by_ballot: dict[str, Declaration] = {}
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise MalformedFile(f"the CSV cannot be read ({exc})") from exc
    if rows and not text.endswith(("\n", "\r")) and None in rows[-1].values():
        # DictReader fills a short row's missing columns with None: the last
        # line stops mid-row, as a file still being written does.
        raise IncompleteFile(
            f"the CSV's last row has {sum(v is not None for v in rows[-1].values())} of {len(columns)} columns "
            "and no line end: truncated?"
        )
    for row in rows:
        key = row.get("ballot_paper_id") or row.get("gss") or row.get("post_label") or ""
        decl = by_ballot.get(key)
        if decl is None:
            decl = Declaration(
                kind=MessageKind.RESULT,
                source_format=SourceFormat.DC_CSV,
                revision=1,
                constituency_name=(row.get("post_label") or "").strip() or None,
                gss_code_given=(row.get("gss") or "").strip() or None,
                election_id=(row.get("election_id") or "").strip() or None,
                agency={k: v for k, v in row.items() if k in ("ballot_paper_id", "turnout_reported", "spoilt_ballots")},
            )
            if decl.election_id and decl.election_id.startswith("parl."):
                decl.election_date = decl.election_id.removeprefix("parl.")
            decl.electorate_raw = (row.get("total_electorate") or "").strip() or None
            decl.electorate = whole_number(decl.electorate_raw)
            decl.turnout = whole_number(row.get("turnout_reported"))
            by_ballot[key] = decl
        votes_raw = row.get("votes_cast")
        truthy = ("true", "1", "yes", "t")
        # A win by lot is a win, whether or not the exporter also set `elected`.
        elected = any((row.get(col) or "").strip().lower() in truthy for col in ("elected", "tied_vote_winner"))
        decl.candidates.append(
            Candidate(
                position=len(decl.candidates) + 1,
                name=(row.get("person_name") or "").strip(),
                party_label=(row.get("party_id") or "").strip() or (row.get("party_name") or "").strip(),
                party_name=(row.get("party_name") or "").strip() or None,
                votes_raw=votes_raw,
                votes=whole_number(votes_raw),
                elected=elected,
            )
        )
    if not by_ballot:
        raise MalformedFile("the CSV has a header but no candidate rows")
    return list(by_ballot.values())
