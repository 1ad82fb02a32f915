"""From GX's per-expectation results to reasons: failing rows back to declarations and candidates."""

from __future__ import annotations

from typing import Any

from pipeline.exceptions import ConfigurationError
from pipeline.model import Candidate
from pipeline.validation.frames import CANDIDATES
from pipeline.validation.registry import Context
from pipeline.validation.suites import Suite


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


def reasons_from_results(results: list, suite: Suite, ctx: Context) -> list[tuple[int, int, str]]:
    """(declaration position in batch, suite order, reason) for every failure."""
    out: list[tuple[int, int, str]] = []
    for result in results:
        config = result.expectation_config
        message = _raised(result.exception_info)
        if message:
            raise ConfigurationError(f"expectation {config.type} from {suite.path} could not run: {message}")
        if result.success:
            continue
        name = (config.meta or {}).get("rule", "")
        order = suite.order[name]
        head = config.description or config.type
        tag = f"[{config.type}]"
        row_ids = _failing_row_ids(result.result or {})
        if row_ids is None:
            # not a row-wise expectation: it failed for the batch as a whole
            observed = (result.result or {}).get("observed_value")
            out.extend((position, order, f"{head}: observed {observed!r} {tag}") for position in range(len(ctx.batch)))
            continue
        write = suite.writers[name].write
        if suite.table == CANDIDATES:
            grouped: dict[int, list[Candidate]] = {}
            for row_id in row_ids:
                position, candidate = ctx.candidates[row_id]
                grouped.setdefault(position, []).append(candidate)
            out.extend((position, order, f"{head}: {write(cands, ctx)} {tag}") for position, cands in grouped.items())
        else:
            out.extend(
                (position, order, f"{head}: {write(ctx.batch[position], ctx)} {tag}")
                for position in dict.fromkeys(row_ids)
            )
    return out
