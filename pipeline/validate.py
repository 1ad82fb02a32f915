"""The great-expectations gate: validate parsed, resolved declarations in batches.

One call validates many declarations. They are grouped by kind; for each kind we
build one pandas DataFrame of declaration rows (plus, for results, one of
candidate rows) and run that kind's suite over it in a single GX validation
per frame, whatever the number of declarations (GX's cost is per run, not per row).
GX is asked for COMPLETE results naming the failing rows by our `row_id`
column, and each failing row is mapped back to its declaration (and candidate)
to write a reason a person can act on at 3 a.m.:

    votes must not be negative: candidate 2 'Ben Example' (Lab) has votes '-5'
    [expect_column_values_to_be_between]

The suites live in `expectations/<kind>.json` (override the folder with
RESULTSNIGHT_EXPECTATIONS_DIR). Each entry is one GX expectation with a
`description` (the plain-words rule that heads the reason), `notes` (why it
exists), `meta.check` (a name unique in the file that picks how failing rows
are described here) and `meta.table` ("declarations" or "candidates": which
frame it runs on).

great_expectations is imported lazily: importing this module costs nothing,
and the GX context, assets and suites are built once per process on first use.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.exceptions import ConfigurationError
from pipeline.model import KINDS, Candidate, Declaration

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

__all__ = ["validate"]

ENV_EXPECTATIONS_DIR = "RESULTSNIGHT_EXPECTATIONS_DIR"

# The suite parameter the JSON refers to as {"$PARAMETER": "counted_election_ids"}.
COUNTED_PARAMETER = "counted_election_ids"

DECLARATIONS = "declarations"
CANDIDATES = "candidates"

# Columns of the frames handed to GX; a suite entry naming anything else is a
# configuration error caught when the suite is loaded, not a 3 a.m. surprise.
DECLARATION_COLUMNS = (
    "row_id",
    "gss_code",
    "constituency_name",
    "revision",
    "declared_at",
    "election_id",
    "winning_party_label",
    "winning_party_code",
    "n_candidates",
    "n_elected",
    "elected_votes",
    "max_votes",
    "valid_votes",
    "electorate",
    "turnout_pct",
    "agency_turnout_pct",
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

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    # name failing rows by our own id column rather than by pandas index
    "unexpected_index_column_names": ["row_id"],
    # pandas "queries" are a long string of every failing index: not needed
    "return_unexpected_index_query": False,
}

_setup_lock = threading.Lock()
_run_lock = threading.Lock()


# --------------------------------------------------------------------------- public


def validate(declarations: Sequence[Declaration], counted_election_id: str) -> list[list[str]]:
    """Validate many declarations in one GX run per message kind; return per declaration the list of failure reasons (empty list = passed)."""
    if not isinstance(counted_election_id, str) or not counted_election_id.strip():
        raise ConfigurationError("the election being counted must be given to validate against")
    reasons: list[list[str]] = [[] for _ in declarations]
    by_kind: dict[str, list[int]] = {}
    for index, declaration in enumerate(declarations):
        if declaration.kind in KINDS:
            by_kind.setdefault(declaration.kind, []).append(index)
        else:
            reasons[index].append(
                f"the message kind must be one of {', '.join(KINDS)}: it is {declaration.kind!r}"
            )
    if not by_kind:
        return reasons

    suites = _load_suites(str(expectations_dir()))
    runtime = _runtime()
    for kind in KINDS:
        indices = by_kind.get(kind)
        if not indices:
            continue
        batch = [declarations[i] for i in indices]
        frames = _build_frames(batch)
        ctx = _Ctx(batch, frames.candidates, counted_election_id)
        found: list[tuple[int, int, str]] = []
        for table, suite in suites[kind].items():
            frame = frames.declarations if table == DECLARATIONS else frames.candidate_frame
            if frame.empty:  # e.g. no result in the batch lists any candidate
                continue
            results = runtime.run(kind, table, suite.gx_suite, frame, counted_election_id)
            found.extend(_reasons_from_results(results, table, suite, ctx))
        # GX groups results by column; report in the order of the suite file instead
        for position, _order, reason in sorted(found, key=lambda item: item[:2]):
            reasons[indices[position]].append(reason)
    return reasons


def expectations_dir() -> Path:
    """The folder holding result.json, rush.json and recount.json (Settings.expectations_dir)."""
    from pipeline.config import load_settings

    return load_settings().expectations_dir.expanduser().resolve()


# --------------------------------------------------------------------------- GX runtime


def _gx():
    """Import great_expectations quietly (once): its import logs hundreds of INFO lines
    and raises DeprecationWarnings about sre_constants/sre_parse."""
    gx_logger = logging.getLogger("great_expectations")
    if gx_logger.level == logging.NOTSET:
        # Keep only real errors unless the application configured this logger itself.
        gx_logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import great_expectations as gx
    return gx


def preload() -> None:
    """Import great_expectations (and pandas) now, so processes forked later inherit them.

    Only the import: the GX context is built lazily in the process that
    validates, so no threads or connections are carried across a fork.
    """
    _gx()
    import pandas  # noqa: F401 - imported for its side effect of being loaded


class _Runtime:
    """The ephemeral GX context with one dataframe asset per (kind, table), built once."""

    def __init__(self) -> None:
        gx = _gx()
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            # in-memory stores, and no temporary data-docs site
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            # this GX build ships no analytics client; say no anyway in case that changes
            analytics_enabled=False,
            # otherwise every validation draws "Calculating Metrics" tqdm bars on stderr
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        source = self.context.data_sources.add_pandas(name="resultsnight")
        self.batch_definitions = {}
        for kind in KINDS:
            for table in (DECLARATIONS, CANDIDATES) if kind == "result" else (DECLARATIONS,):
                asset = source.add_dataframe_asset(name=f"{kind}.{table}")
                self.batch_definitions[(kind, table)] = asset.add_batch_definition_whole_dataframe(
                    name=f"{kind}.{table}.whole"
                )

    def run(self, kind: str, table: str, suite: Any, frame: pd.DataFrame, counted: str) -> list:
        """One GX validation of `suite` over the whole `frame`; the per-expectation results."""
        batch_definition = self.batch_definitions[(kind, table)]
        with _run_lock:  # one GX context shared by every thread of the process
            batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
            outcome = batch.validate(
                suite,
                result_format=dict(RESULT_FORMAT),
                expectation_parameters={COUNTED_PARAMETER: [counted]},
            )
        return outcome.results


_runtime_instance: _Runtime | None = None


def _runtime() -> _Runtime:
    global _runtime_instance
    if _runtime_instance is None:
        with _setup_lock:
            if _runtime_instance is None:
                _runtime_instance = _Runtime()
    return _runtime_instance


# --------------------------------------------------------------------------- suites


@dataclass(frozen=True)
class _Suite:
    path: Path
    table: str
    gx_suite: Any  # great_expectations.ExpectationSuite
    order: dict[str, int]  # meta.check -> position in the file, to list reasons in file order


@functools.cache
def _load_suites(folder: str) -> dict[str, dict[str, _Suite]]:
    """Read <kind>.json for every kind into GX suites, split by the frame they run on."""
    gx = _gx()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    suites: dict[str, dict[str, _Suite]] = {}
    for kind in KINDS:
        path = Path(folder) / f"{kind}.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(f"expectation suite {path} cannot be read: {exc}") from exc
        except ValueError as exc:
            raise ConfigurationError(f"expectation suite {path} is not valid JSON: {exc}") from exc
        entries = document.get("expectations") if isinstance(document, dict) else None
        if not isinstance(entries, list) or not entries:
            raise ConfigurationError(f"expectation suite {path} has no 'expectations' list")

        split: dict[str, list] = {}
        order: dict[str, int] = {}
        for number, entry in enumerate(entries, start=1):
            where = f"{path} entry {number}"
            if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
                raise ConfigurationError(f"{where}: each expectation needs a 'type'")
            meta = dict(entry.get("meta") or {})
            table = meta.get("table", DECLARATIONS)
            if table not in TABLE_COLUMNS or (table == CANDIDATES and kind != "result"):
                raise ConfigurationError(f"{where}: meta.table {table!r} is not a frame of {kind}")
            check = meta.get("check")
            if not isinstance(check, str) or not check or check in order:
                raise ConfigurationError(f"{where}: meta.check must be a name unique in the file")
            order[check] = number
            _check_kwargs(entry.get("kwargs") or {}, TABLE_COLUMNS[table], where)
            fields = {
                key: entry[key]
                for key in ("type", "kwargs", "meta", "notes", "description", "severity")
                if key in entry
            }
            try:
                # Built one by one: ExpectationSuite(expectations=[dicts]) only logs a
                # bad entry and silently drops it, which would quietly lose a check.
                expectation = ExpectationConfiguration(**fields).to_domain_obj()
            except Exception as exc:  # GX raises several unrelated types here
                raise ConfigurationError(f"{where} ({entry['type']}) is not valid: {exc}") from exc
            split.setdefault(table, []).append(expectation)

        name = document.get("name") or kind
        suites[kind] = {
            table: _Suite(
                path=path,
                table=table,
                gx_suite=gx.ExpectationSuite(
                    name=name if table == DECLARATIONS else f"{name}.{table}",
                    expectations=expectations,
                    meta=dict(document.get("meta") or {}),
                ),
                order=order,
            )
            for table, expectations in split.items()
        }
    return suites


def _check_kwargs(kwargs: dict, allowed: Sequence[str], where: str) -> None:
    """Fail at load, not mid-validation, on unknown columns or suite parameters."""
    for key, value in kwargs.items():
        if isinstance(value, dict) and "$PARAMETER" in value:
            if value["$PARAMETER"] != COUNTED_PARAMETER:
                raise ConfigurationError(
                    f"{where}: {key} uses $PARAMETER {value['$PARAMETER']!r}; "
                    f"the pipeline supplies only {COUNTED_PARAMETER!r}"
                )
    named: list[str] = []
    for key in ("column", "column_A", "column_B"):
        if isinstance(kwargs.get(key), str):
            named.append(kwargs[key])
    if isinstance(kwargs.get("column_list"), list):
        named.extend(c for c in kwargs["column_list"] if isinstance(c, str))
    unknown = [c for c in named if c not in allowed]
    if unknown:
        raise ConfigurationError(
            f"{where}: column(s) {', '.join(unknown)} do not exist; known: {', '.join(allowed)}"
        )


# --------------------------------------------------------------------------- frames


@dataclass
class _Frames:
    declarations: pd.DataFrame
    candidate_frame: pd.DataFrame
    candidates: list[tuple[int, Candidate]]  # candidate row_id -> (declaration position, candidate)


def _text(value: Any) -> str | None:
    """A present, non-blank string, else None (blank counts as missing)."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return float(value)
    return None


def electorate_of(declaration: Declaration) -> tuple[int | None, str]:
    """The electorate to check against and where it came from."""
    if declaration.electorate is not None:
        return declaration.electorate, "as given in the file"
    if declaration.registered_electorate is not None:
        return declaration.registered_electorate, "registered electorate from reference data"
    return None, "unknown"


def _build_frames(batch: Sequence[Declaration]) -> _Frames:
    import pandas as pd

    columns: dict[str, list] = {name: [] for name in DECLARATION_COLUMNS}
    cand_columns: dict[str, list] = {name: [] for name in CANDIDATE_COLUMNS}
    candidates: list[tuple[int, Candidate]] = []

    for row, d in enumerate(batch):
        cands = d.candidates or []
        counted = [c.votes for c in cands if c.votes is not None]
        elected = [c for c in cands if c.elected]
        valid = sum(counted)
        electorate, _ = electorate_of(d)
        usable_electorate = electorate if electorate is not None and electorate > 0 else None

        columns["row_id"].append(row)
        columns["gss_code"].append(_text(d.gss_code))
        columns["constituency_name"].append(_text(d.constituency_name))
        columns["revision"].append(_number(d.revision))
        # The Democracy Club CSV carries no declaration time at all, so the
        # "time must be given" rule only binds the agency's messages.
        no_time_in_feed = d.source_format == "dc_csv"
        columns["declared_at"].append(
            d.declared_at.isoformat() if d.declared_at else ("not in this feed" if no_time_in_feed else None)
        )
        columns["election_id"].append(_text(d.election_id))
        columns["winning_party_label"].append(_text(d.winning_party_label))
        columns["winning_party_code"].append(_text(d.winning_party_code))
        columns["n_candidates"].append(float(len(cands)))
        # with no candidates at all, "at least one candidate" is the whole story
        columns["n_elected"].append(float(len(elected)) if cands else None)
        columns["elected_votes"].append(
            _number(elected[0].votes) if len(elected) == 1 else None
        )
        columns["max_votes"].append(float(max(counted)) if counted else None)
        columns["valid_votes"].append(float(valid))
        columns["electorate"].append(_number(electorate))
        columns["turnout_pct"].append(
            valid / usable_electorate * 100 if usable_electorate and cands else None
        )
        columns["agency_turnout_pct"].append(
            d.turnout / usable_electorate * 100
            if usable_electorate and _number(d.turnout) is not None
            else None
        )

        for c in cands:
            cand_columns["row_id"].append(len(candidates))
            cand_columns["decl_row"].append(row)
            cand_columns["position"].append(c.position)
            cand_columns["name"].append(c.name)
            cand_columns["name_key"].append(" ".join(str(c.name or "").split()).casefold())
            cand_columns["party_key"].append(
                str(c.party_code or c.party_label or "").strip().casefold()
            )
            cand_columns["votes_raw"].append(c.votes_raw)
            cand_columns["votes"].append(_number(c.votes))
            cand_columns["elected"].append(bool(c.elected))
            candidates.append((row, c))

    numeric = {
        "revision", "n_candidates", "n_elected", "elected_votes", "max_votes",
        "valid_votes", "electorate", "turnout_pct", "agency_turnout_pct",
    }
    declarations = pd.DataFrame(
        {
            name: pd.Series(values, dtype="float64" if name in numeric else "object")
            for name, values in columns.items()
        }
    )
    declarations["row_id"] = declarations["row_id"].astype("int64")
    candidate_frame = pd.DataFrame(
        {
            name: pd.Series(
                values,
                dtype={"row_id": "int64", "decl_row": "int64", "votes": "float64",
                       "elected": "bool"}.get(name, "object"),
            )
            for name, values in cand_columns.items()
        }
    )
    return _Frames(declarations, candidate_frame, candidates)


# --------------------------------------------------------------------------- reasons


@dataclass
class _Ctx:
    batch: Sequence[Declaration]
    candidates: list[tuple[int, Candidate]]
    counted: str


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
    name = _text(d.constituency_name)
    if name:
        return repr(name)
    code = d.gss_code or d.gss_code_given
    return f"the constituency {code}" if code else "the declaration"


def _raised(info: Any) -> str | None:
    """GX's exception_info is flat for expectation errors, keyed by metric for metric errors."""
    if not isinstance(info, dict) or not info:
        return None
    if "raised_exception" in info:
        return (info.get("exception_message") or "error") if info["raised_exception"] else None
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return value.get("exception_message") or "error"
    return None


def _failing_row_ids(result: dict) -> list[int] | None:
    """Row ids from unexpected_index_list; None when the expectation is not row-wise."""
    index_list = result.get("unexpected_index_list")
    if index_list is None:
        return None
    ids: list[int] = []
    for item in index_list:
        if isinstance(item, dict):
            value = item.get("row_id")
            # with exclude_unexpected_values GX returns one dict of lists instead
            ids.extend(int(v) for v in (value if isinstance(value, list) else [value]))
        else:
            ids.append(int(item))
    return ids


def _reasons_from_results(
    results: list, table: str, suite: _Suite, ctx: _Ctx
) -> list[tuple[int, int, str]]:
    """(declaration position in batch, suite order, reason) for every failure."""
    out: list[tuple[int, int, str]] = []
    for result in results:
        config = result.expectation_config
        message = _raised(result.exception_info)
        if message:
            raise ConfigurationError(
                f"expectation {config.type} from {suite.path} could not run: {message}"
            )
        if result.success:
            continue
        meta = config.meta or {}
        rule = config.description or meta.get("notes") or config.type
        check = meta.get("check", "")
        order = suite.order.get(check, len(suite.order) + 1)
        tag = f"[{config.type}]"
        row_ids = _failing_row_ids(result.result or {})
        if row_ids is None:
            # not a row-wise expectation: it failed for the batch as a whole
            observed = (result.result or {}).get("observed_value")
            for position in range(len(ctx.batch)):
                out.append((position, order, f"{rule}: observed {observed!r} {tag}"))
            continue
        if table == CANDIDATES:
            grouped: dict[int, list[Candidate]] = {}
            for row_id in row_ids:
                position, candidate = ctx.candidates[row_id]
                grouped.setdefault(position, []).append(candidate)
            for position, cands in grouped.items():
                detail = _candidate_detail(check, cands, config.kwargs)
                out.append((position, order, f"{rule}: {detail} {tag}"))
        else:
            for position in dict.fromkeys(row_ids):
                declaration = ctx.batch[position]
                detail = _declaration_detail(check, declaration, ctx, config.kwargs)
                out.append((position, order, f"{rule}: {detail} {tag}"))
    return out


def _candidate_detail(check: str, cands: list[Candidate], kwargs: dict) -> str:
    if check == "candidates_unique":
        groups: dict[tuple[str, str], list[Candidate]] = {}
        for c in cands:
            key = (" ".join(str(c.name or "").split()).casefold(),
                   str(c.party_code or c.party_label or "").strip().casefold())
            groups.setdefault(key, []).append(c)
        parts = []
        for group in groups.values():
            positions = sorted(c.position for c in group)
            parts.append(
                f"{group[0].name!r} ({_party(group[0])}) is listed {len(group)} times "
                f"(candidates {', '.join(str(p) for p in positions[:-1])} and {positions[-1]})"
            )
        return "; ".join(parts)
    if check == "votes_present":
        return "; ".join(f"{_who(c)} has no votes figure" for c in cands)
    column = kwargs.get("column", "votes_raw")
    if column in ("votes", "votes_raw") or check.startswith("votes"):
        return "; ".join(f"{_who(c)} has votes {c.votes_raw!r}" for c in cands)
    return "; ".join(f"{_who(c)} has {column} {getattr(c, column, None)!r}" for c in cands)


def _declaration_detail(check: str, d: Declaration, ctx: _Ctx, kwargs: dict) -> str:
    handler = _DETAILS.get(check)
    if handler is not None:
        return handler(d, ctx)
    column = kwargs.get("column") or kwargs.get("column_A") or "value"
    return f"{_place(d)} has {column} {getattr(d, column, None)!r}"


def _detail_gss(d: Declaration, ctx: _Ctx) -> str:
    given = f"the file gave {d.gss_code_given!r}" if d.gss_code_given else "the file gave none"
    return f"{_place(d)} matched no seat of {ctx.counted} ({given})"


def _detail_name(d: Declaration, ctx: _Ctx) -> str:
    code = d.gss_code or d.gss_code_given
    return f"the declaration{' for ' + code if code else ''} names no constituency"


def _detail_revision(d: Declaration, ctx: _Ctx) -> str:
    return f"{_place(d)} has revision {d.revision!r}"


def _detail_declared_at(d: Declaration, ctx: _Ctx) -> str:
    return f"{_place(d)} gives no declaration time"


def _detail_candidates(d: Declaration, ctx: _Ctx) -> str:
    return f"{_place(d)} lists no candidates"


def _detail_n_elected(d: Declaration, ctx: _Ctx) -> str:
    elected = [c for c in d.candidates if c.elected]
    if not elected:
        return f"none of the {len(d.candidates)} candidates is marked elected"
    names = ", ".join(c.name for c in elected)
    return f"{len(elected)} are marked elected ({names})"


def _detail_elected_top(d: Declaration, ctx: _Ctx) -> str:
    winner = next(c for c in d.candidates if c.elected)
    top = max(c.votes for c in d.candidates if c.votes is not None)
    leaders = [c for c in d.candidates if c.votes == top]
    ahead = ", ".join(f"{c.name} ({_party(c)}) has {_fmt(c.votes)}" for c in leaders)
    return f"{winner.name} ({_party(winner)}) is elected with {_fmt(winner.votes)} votes but {ahead}"


def _detail_votes_over_electorate(d: Declaration, ctx: _Ctx) -> str:
    electorate, source = electorate_of(d)
    return f"valid votes {_fmt(d.valid_votes)} exceed the electorate {_fmt(electorate)} ({source})"


def _detail_turnout(d: Declaration, ctx: _Ctx) -> str:
    electorate, source = electorate_of(d)
    if not electorate or electorate <= 0:
        return f"the electorate is {_fmt(electorate)} ({source})"
    pct = d.valid_votes / electorate * 100
    return (f"valid votes {_fmt(d.valid_votes)} / electorate {_fmt(electorate)} ({source}) "
            f"is {pct:.1f}%")


def _detail_agency_turnout(d: Declaration, ctx: _Ctx) -> str:
    electorate, source = electorate_of(d)
    pct = d.turnout / electorate * 100 if electorate and d.turnout is not None else float("nan")
    return (f"the agency's turnout {_fmt(d.turnout)} / electorate {_fmt(electorate)} ({source}) "
            f"is {pct:.1f}%")


def _detail_electorate(d: Declaration, ctx: _Ctx) -> str:
    electorate, source = electorate_of(d)
    return f"the electorate is {_fmt(electorate)} ({source})"


def _detail_election_named(d: Declaration, ctx: _Ctx) -> str:
    return f"{_place(d)} names no election (counting {ctx.counted})"


def _detail_election_counted(d: Declaration, ctx: _Ctx) -> str:
    return f"{_place(d)} is for {d.election_id}, but {ctx.counted} is being counted"


def _detail_winner(d: Declaration, ctx: _Ctx) -> str:
    if _text(d.winning_party_label):
        return f"{_place(d)} flashes {d.winning_party_label!r} as winner, which is not a known party"
    return f"{_place(d)} names no winning party"


_DETAILS: dict[str, Callable[[Declaration, _Ctx], str]] = {
    "gss_code_present": _detail_gss,
    "constituency_name_present": _detail_name,
    "revision_present": _detail_revision,
    "revision_at_least_one": _detail_revision,
    "declared_at_present": _detail_declared_at,
    "has_candidates": _detail_candidates,
    "one_elected": _detail_n_elected,
    "elected_has_most_votes": _detail_elected_top,
    "votes_within_electorate": _detail_votes_over_electorate,
    "turnout_in_range": _detail_turnout,
    "agency_turnout_in_range": _detail_agency_turnout,
    "electorate_positive": _detail_electorate,
    "election_named": _detail_election_named,
    "election_is_counted": _detail_election_counted,
    "winner_known": _detail_winner,
}
