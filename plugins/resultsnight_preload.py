"""Import great-expectations once in the processes that fork task processes.

The plugin manager imports this file in every Airflow process at start-up.
In the scheduler (whose LocalExecutor workers fork each task process) and in
a Celery worker, importing GX here means every task inherits it already
imported instead of paying ~2 s per task: the difference between an alert
within about a second of a file landing and one three seconds later.
Other processes (api-server, dag-processor, triggerer, the CLI) skip it.
"""

from __future__ import annotations

import sys

_FORKING_COMMANDS = {"scheduler", "worker"}  # `airflow scheduler`, `airflow celery worker`

if _FORKING_COMMANDS & set(sys.argv[1:3]):
    from pipeline.validation import preload

    preload()
