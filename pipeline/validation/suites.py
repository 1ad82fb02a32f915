"""Suite loading: expectations/<kind>.json into GX suites, checked against the frames and the writers.

Each entry of a suite file is one GX expectation plus what the pipeline needs:
`description` (the plain-words rule that heads a quarantine reason), `notes`
(why it exists), `meta.rule` (the rule's name, unique in the file, keying its
reason writer in pipeline/validation/reasons.py) and `meta.table`
("declarations" or "candidates": the frame it runs on). A source that lacks a
fact (Democracy Club's CSV has no declaration time) is exempted by the rule's
own `row_condition`, in the file, not by a placeholder value in the frame.

Everything is checked when the suites load, not at 3 a.m.: unknown columns
or suite parameters, invalid expectations, and rules and writers that do
not pair up all raise ConfigurationError.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.exceptions import ConfigurationError
from pipeline.model import KINDS
from pipeline.validation.frames import CANDIDATE_KINDS, CANDIDATES, DECLARATIONS, TABLE_COLUMNS
from pipeline.validation.registry import Writer, check_coverage, registered
from pipeline.validation.runtime import COUNTED_PARAMETER, gx

_FIELDS = ("type", "kwargs", "meta", "notes", "description", "severity")


@dataclass(frozen=True)
class Suite:
    """The expectations of one kind that run on one frame."""

    path: Path
    table: str
    gx_suite: Any  # great_expectations.ExpectationSuite
    order: dict[str, int]  # rule name -> position in the file, to list reasons in file order
    writers: dict[str, Writer]  # rule name -> its reason writer


def _read(path: Path) -> list:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"expectation suite {path} cannot be read: {exc}") from exc
    except ValueError as exc:
        raise ConfigurationError(f"expectation suite {path} is not valid JSON: {exc}") from exc
    entries = document.get("expectations") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ConfigurationError(f"expectation suite {path} has no 'expectations' list")
    return document


def _condition_columns(condition: Any) -> Iterator[str]:
    """Column names a serialised GX row condition refers to."""
    if isinstance(condition, dict):
        column = condition.get("column")
        if isinstance(column, dict) and isinstance(column.get("name"), str):
            yield column["name"]
        for part in condition.get("conditions") or []:
            yield from _condition_columns(part)


def _check_kwargs(kwargs: dict, allowed: Sequence[str], where: str) -> None:
    """Fail at load, not mid-validation, on unknown columns or suite parameters."""
    for key, value in kwargs.items():
        if isinstance(value, dict) and "$PARAMETER" in value and value["$PARAMETER"] != COUNTED_PARAMETER:
            raise ConfigurationError(
                f"{where}: {key} uses $PARAMETER {value['$PARAMETER']!r}; "
                f"the pipeline supplies only {COUNTED_PARAMETER!r}"
            )
    if isinstance(kwargs.get("row_condition"), str):
        raise ConfigurationError(f"{where}: row_condition must be a GX condition object, not a string")
    named = [kwargs[key] for key in ("column", "column_A", "column_B") if isinstance(kwargs.get(key), str)]
    if isinstance(kwargs.get("column_list"), list):
        named.extend(c for c in kwargs["column_list"] if isinstance(c, str))
    named.extend(_condition_columns(kwargs.get("row_condition")))
    unknown = [c for c in named if c not in allowed]
    if unknown:
        raise ConfigurationError(f"{where}: column(s) {', '.join(unknown)} do not exist; known: {', '.join(allowed)}")


def _expectation(entry: Any, kind: str, where: str) -> tuple[str, str, Any]:
    """(rule name, table, GX expectation) of one suite entry."""
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
        raise ConfigurationError(f"{where}: each expectation needs a 'type'")
    meta = dict(entry.get("meta") or {})
    table = meta.get("table", DECLARATIONS)
    if table not in TABLE_COLUMNS or (table == CANDIDATES and kind not in CANDIDATE_KINDS):
        raise ConfigurationError(f"{where}: meta.table {table!r} is not a frame of {kind}")
    rule = meta.get("rule")
    if not isinstance(rule, str) or not rule:
        raise ConfigurationError(f"{where}: meta.rule must name the rule (unique in the file)")
    _check_kwargs(entry.get("kwargs") or {}, TABLE_COLUMNS[table], where)
    fields = {key: entry[key] for key in _FIELDS if key in entry}
    try:
        # Built one by one: ExpectationSuite(expectations=[dicts]) only logs a
        # bad entry and silently drops it, which would quietly lose a check.
        return rule, table, ExpectationConfiguration(**fields).to_domain_obj()
    except Exception as exc:  # GX raises several unrelated types here
        raise ConfigurationError(f"{where} ({entry['type']}) is not valid: {exc}") from exc


@functools.cache
def load_suites(folder: str) -> dict[str, dict[str, Suite]]:
    """Read <kind>.json for every kind into GX suites split by frame; fail fast on any mismatch."""
    module = gx()
    writers = registered()
    rules: dict[str, tuple[str, str]] = {}  # every rule of every suite -> (table, where first seen)
    suites: dict[str, dict[str, Suite]] = {}
    for kind in KINDS:
        path = Path(folder) / f"{kind}.json"
        document = _read(path)
        split: dict[str, list] = {}
        order: dict[str, int] = {}
        for number, entry in enumerate(document["expectations"], start=1):
            where = f"{path} entry {number}"
            rule, table, expectation = _expectation(entry, kind, where)
            if rule in order:
                raise ConfigurationError(f"{where}: meta.rule {rule!r} is used twice in the file")
            if rule in rules and rules[rule][0] != table:
                raise ConfigurationError(f"{where}: rule {rule!r} runs on {rules[rule][0]} elsewhere")
            order[rule] = number
            rules.setdefault(rule, (table, where))
            split.setdefault(table, []).append(expectation)
        name = document.get("name") or kind
        suites[kind] = {
            table: Suite(
                path=path,
                table=table,
                gx_suite=module.ExpectationSuite(
                    name=name if table == DECLARATIONS else f"{name}.{table}",
                    expectations=expectations,
                    meta=dict(document.get("meta") or {}),
                ),
                order=order,
                writers={rule: writers[rule] for rule in order if rule in writers},
            )
            for table, expectations in split.items()
        }
    check_coverage(rules, writers)
    return suites
