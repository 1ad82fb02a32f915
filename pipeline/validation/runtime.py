"""The GX runtime: one ephemeral context per process, one dataframe asset per (kind, frame).

great_expectations is imported lazily and quietly: importing this module
costs nothing, and the context is built once, on first use, in the process
that validates (so nothing with threads or connections crosses a fork).
"""

from __future__ import annotations

import logging
import threading
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pipeline.model import KINDS
from pipeline.validation.frames import CANDIDATE_KINDS, CANDIDATES, DECLARATIONS

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

# The suite parameter the JSON refers to as {"$PARAMETER": "counted_election_ids"}.
COUNTED_PARAMETER = "counted_election_ids"

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    # name failing rows by our own id column rather than by pandas index
    "unexpected_index_column_names": ["row_id"],
    # pandas "queries" are a long string of every failing index: not needed
    "return_unexpected_index_query": False,
}

_setup_lock = threading.Lock()
_run_lock = threading.Lock()


def gx() -> ModuleType:
    """Import great_expectations quietly (once): its import logs hundreds of INFO lines
    and raises DeprecationWarnings about sre_constants/sre_parse."""
    gx_logger = logging.getLogger("great_expectations")
    if gx_logger.level == logging.NOTSET:
        # Keep only real errors unless the application configured this logger itself.
        gx_logger.setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        import great_expectations

    return great_expectations


def preload() -> None:
    """Import great_expectations (and pandas) now, so processes forked later inherit them.

    Only the import: the GX context is built lazily in the process that
    validates, so no threads or connections are carried across a fork.
    """
    gx()
    import pandas  # noqa: F401 - imported for its side effect of being loaded


class Runtime:
    """The ephemeral GX context with one dataframe asset per (kind, table), built once."""

    def __init__(self) -> None:
        module = gx()
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
        self.context = module.get_context(mode="ephemeral", project_config=config)
        source = self.context.data_sources.add_pandas(name="resultsnight")
        self.batch_definitions = {}
        for kind in KINDS:
            for table in (DECLARATIONS, CANDIDATES) if kind in CANDIDATE_KINDS else (DECLARATIONS,):
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


_instance: Runtime | None = None


def runtime() -> Runtime:
    """The process's GX runtime, built on first use."""
    global _instance
    if _instance is None:
        with _setup_lock:
            if _instance is None:
                _instance = Runtime()
    return _instance
