"""The reason writers: for each rule, the detail that names the offending seat, candidate or figure.

A reason reads "<the rule's description>: <detail> [<expectation type>]",
for example

    votes must not be negative: candidate 2 'Ben Example' (Lab) has votes '-5'
    [expect_column_values_to_be_between]

Each function here is registered for exactly one rule of expectations/*.json.
"""

from __future__ import annotations

from pipeline.model import Candidate, Declaration
from pipeline.validation.frames import CANDIDATES, electorate_of, name_key, party_key, text
from pipeline.validation.registry import Context, writes


def _fmt(n: float | int | None) -> str:
    if n is None:
        return "unknown"
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def _party(c: Candidate) -> str:
    return c.party_label or c.party_code or "no party"


def _who(c: Candidate) -> str:
    return f"candidate {c.position} {c.name!r} ({_party(c)})"


def _place(d: Declaration) -> str:
    """How to name the constituency of a declaration in a reason."""
    name = text(d.constituency_name)
    if name:
        return repr(name)
    code = d.gss_code or d.gss_code_given
    return f"the constituency {code}" if code else "the declaration"


# --------------------------------------------------------------------------- declarations


@writes("constituency_name_present")
def _name(d: Declaration, ctx: Context) -> str:
    code = d.gss_code or d.gss_code_given
    return f"the declaration{' for ' + code if code else ''} names no constituency"


@writes("declared_at_present")
def _declared_at(d: Declaration, ctx: Context) -> str:
    return f"{_place(d)} gives no declaration time"


@writes("has_candidates")
def _candidates(d: Declaration, ctx: Context) -> str:
    return f"{_place(d)} lists no candidates"


@writes("one_elected")
def _n_elected(d: Declaration, ctx: Context) -> str:
    elected = [c for c in d.candidates if c.elected]
    if not elected:
        return f"none of the {len(d.candidates)} candidates is marked elected"
    names = ", ".join(c.name for c in elected)
    return f"{len(elected)} are marked elected ({names})"


@writes("elected_has_most_votes")
def _elected_top(d: Declaration, ctx: Context) -> str:
    winner = next(c for c in d.candidates if c.elected)
    top = max(c.votes for c in d.candidates if c.votes is not None)
    leaders = [c for c in d.candidates if c.votes == top]
    ahead = ", ".join(f"{c.name} ({_party(c)}) has {_fmt(c.votes)}" for c in leaders)
    return f"{winner.name} ({_party(winner)}) is elected with {_fmt(winner.votes)} votes but {ahead}"


@writes("votes_within_electorate")
def _votes_over_electorate(d: Declaration, ctx: Context) -> str:
    electorate, source = electorate_of(d)
    return f"valid votes {_fmt(d.valid_votes)} exceed the electorate {_fmt(electorate)} ({source})"


@writes("turnout_in_range")
def _turnout(d: Declaration, ctx: Context) -> str:
    electorate, source = electorate_of(d)
    if not electorate or electorate <= 0:
        return f"the electorate is {_fmt(electorate)} ({source})"
    pct = d.valid_votes / electorate * 100
    return f"valid votes {_fmt(d.valid_votes)} / electorate {_fmt(electorate)} ({source}) is {pct:.1f}%"


@writes("agency_turnout_in_range")
def _agency_turnout(d: Declaration, ctx: Context) -> str:
    electorate, source = electorate_of(d)
    pct = d.turnout / electorate * 100 if electorate and d.turnout is not None else float("nan")
    return f"the agency's turnout {_fmt(d.turnout)} / electorate {_fmt(electorate)} ({source}) is {pct:.1f}%"


@writes("electorate_positive")
def _electorate(d: Declaration, ctx: Context) -> str:
    electorate, source = electorate_of(d)
    return f"the electorate is {_fmt(electorate)} ({source})"


@writes("election_named")
def _election_named(d: Declaration, ctx: Context) -> str:
    return f"{_place(d)} names no election (counting {ctx.counted})"


@writes("election_is_counted")
def _election_counted(d: Declaration, ctx: Context) -> str:
    return f"{_place(d)} is for {d.election_id}, but {ctx.counted} is being counted"


@writes("winner_known")
def _winner(d: Declaration, ctx: Context) -> str:
    if text(d.winning_party_label):
        return f"{_place(d)} flashes {d.winning_party_label!r} as winner, which is not a known party"
    return f"{_place(d)} names no winning party"


# --------------------------------------------------------------------------- candidates


@writes("votes_present", CANDIDATES)
def _votes_missing(cands: list[Candidate], ctx: Context) -> str:
    return "; ".join(f"{_who(c)} has no votes figure" for c in cands)


def _votes_as_received(cands: list[Candidate], ctx: Context) -> str:
    return "; ".join(f"{_who(c)} has votes {c.votes_raw!r}" for c in cands)


writes("votes_whole", CANDIDATES)(_votes_as_received)
writes("votes_non_negative", CANDIDATES)(_votes_as_received)


@writes("candidates_unique", CANDIDATES)
def _duplicates(cands: list[Candidate], ctx: Context) -> str:
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in cands:
        groups.setdefault((name_key(c), party_key(c)), []).append(c)
    parts = []
    for group in groups.values():
        positions = sorted(c.position for c in group)
        parts.append(
            f"{group[0].name!r} ({_party(group[0])}) is listed {len(group)} times "
            f"(candidates {', '.join(str(p) for p in positions[:-1])} and {positions[-1]})"
        )
    return "; ".join(parts)
