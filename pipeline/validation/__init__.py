"""The great-expectations gate: validate parsed, resolved declarations in batches.

One call validates many declarations. They are grouped by kind; each kind's
batch becomes one frame of declaration rows (plus, for results, one of
candidate rows, `frames`), and that kind's suite (`suites`, from
expectations/<kind>.json) runs over each frame in a single GX validation
(`runtime`), whatever the number of declarations. GX names the failing rows
by our `row_id` column; `results` maps each back to its declaration and
candidate, and the rule's registered writer (`reasons`, keyed by the rule's
name through `registry`) says what a person can act on at 3 a.m.

The suites folder is Settings.expectations_dir (RESULTSNIGHT_EXPECTATIONS_DIR).
great_expectations is imported lazily: importing this package costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.exceptions import ConfigurationError
from pipeline.model import KINDS, Declaration, Nominations
from pipeline.validation.runtime import preload

__all__ = ["preload", "validate"]


def validate(
    declarations: Sequence[Declaration | Nominations], counted_election_id: str, expectations_dir: Path | None = None
) -> list[list[str]]:
    """Validate many declarations (and nominations lists) in one GX run per message kind.

    Returns, per declaration, the list of failure reasons (an empty list: passed).
    """
    if not isinstance(counted_election_id, str) or not counted_election_id.strip():
        raise ConfigurationError("the election being counted must be given to validate against")
    reasons: list[list[str]] = [[] for _ in declarations]
    by_kind: dict[str, list[int]] = {}
    for index, declaration in enumerate(declarations):
        if declaration.kind in KINDS:
            by_kind.setdefault(declaration.kind, []).append(index)
        else:
            reasons[index].append(f"the message kind must be one of {', '.join(KINDS)}: it is {declaration.kind!r}")
    if not by_kind:
        return reasons

    from pipeline.validation.frames import build_frames
    from pipeline.validation.registry import Context
    from pipeline.validation.results import reasons_from_results
    from pipeline.validation.runtime import runtime
    from pipeline.validation.suites import load_suites

    if expectations_dir is None:
        from pipeline.config import load_settings

        expectations_dir = load_settings().expectations_dir
    suites = load_suites(str(Path(expectations_dir).expanduser().resolve()))
    gx_runtime = runtime()
    for kind in KINDS:
        indices = by_kind.get(kind)
        if not indices:
            continue
        batch = [declarations[i] for i in indices]
        frames = build_frames(batch)
        ctx = Context(batch, frames.candidates, counted_election_id)
        found: list[tuple[int, int, str]] = []
        for table, suite in suites[kind].items():
            frame = frames.frame(table)
            if frame.empty:  # e.g. no result in the batch lists any candidate
                continue
            results = gx_runtime.run(kind, table, suite.gx_suite, frame, counted_election_id)
            found.extend(reasons_from_results(results, suite, ctx))
        # GX groups results by column; report in the order of the suite file instead
        for position, _order, reason in sorted(found, key=lambda item: item[:2]):
            reasons[indices[position]].append(reason)
    return reasons
