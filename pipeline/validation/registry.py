"""The reason-writer registry: one writer per rule, keyed by the rule's name.

A rule is one entry in `expectations/<kind>.json` (its `meta.rule` is the
name) plus one writer registered here with `@writes(name, table)`. The writer
turns a failing row into the detail a person reads after the rule's
description. Loading the suites checks the two sides against each other
(`check_coverage`): a rule without a writer, a writer without a rule, or a
writer for the other frame stops the pipeline before any file is judged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.exceptions import ConfigurationError, UnpairedRule
from pipeline.model import Candidate, Declaration
from pipeline.validation.frames import CANDIDATES, DECLARATIONS


@dataclass(frozen=True)
class Context:
    """What a writer may need beyond the failing row: the batch and the election counted."""

    batch: Sequence[Declaration]
    candidates: list[tuple[int, Candidate]]
    counted: str


DeclarationWriter = Callable[[Declaration, Context], str]
CandidateWriter = Callable[[list[Candidate], Context], str]


@dataclass(frozen=True)
class Writer:
    """One registered reason writer: the rule it explains and the frame that rule runs on."""

    rule: str
    table: str
    write: Callable[[Any, Context], str]


_WRITERS: dict[str, Writer] = {}


def writes(rule: str, table: str = DECLARATIONS) -> Callable[[Callable], Callable]:
    """Register the decorated function as the reason writer of `rule` (on `table`'s rows)."""
    if table not in (DECLARATIONS, CANDIDATES):
        raise ConfigurationError(f"reason writer for {rule!r}: {table!r} is not a frame")

    def register(function: Callable) -> Callable:
        if rule in _WRITERS:
            raise ConfigurationError(f"two reason writers for rule {rule!r}")
        _WRITERS[rule] = Writer(rule, table, function)
        return function

    return register


def registered() -> dict[str, Writer]:
    """Every registered writer by rule name (the shipped writers are registered on first call)."""
    import pipeline.validation.reasons  # noqa: F401 - registers the shipped writers

    return dict(_WRITERS)


def check_coverage(rules: Mapping[str, tuple[str, str]], writers: Mapping[str, Writer]) -> None:
    """Fail fast unless every rule (name -> (table, where)) has exactly its writer and every writer a rule."""
    problems = []
    for rule, (table, where) in sorted(rules.items()):
        writer = writers.get(rule)
        if writer is None:
            problems.append(f"rule {rule!r} ({where}) has no reason writer in pipeline/validation/reasons.py")
        elif writer.table != table:
            problems.append(f"rule {rule!r} ({where}) runs on {table} but its reason writer is for {writer.table}")
    for rule in sorted(set(writers) - set(rules)):
        problems.append(f"reason writer {rule!r} has no rule in any expectation suite")
    if problems:
        raise UnpairedRule("the expectation suites and the reason writers disagree: " + "; ".join(problems))
