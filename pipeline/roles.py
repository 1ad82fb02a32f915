"""`resultsnight db roles`: LOGIN and a password for each component's role, from the environment.

The roles and their grants are the migration's (sql/migrations/0012_roles.sql);
credentials never live in the repository, so the passwords arrive here, from
variables docker-compose.yml hands to airflow-init only. Each password is
turned into a SCRAM-SHA-256 verifier on this side (as psql's \\password does),
so the plain password never reaches the server or its statement log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping

from sqlalchemy import Engine

from pipeline.config import LOGIN_PASSWORD_VARIABLES
from pipeline.db import sql
from pipeline.exceptions import ConfigurationError

SCRAM_ITERATIONS = 4096  # the server's own default (scram_iterations)


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier Postgres stores for a password (RFC 5802, RFC 7677)."""
    # SASLprep leaves printable ASCII unchanged; anything else is refused
    # rather than normalised differently from the server.
    if not password or not all(" " < ch < "\x7f" for ch in password):
        raise ConfigurationError("a role's password must be printable ASCII without spaces (e.g. openssl rand -hex 32)")
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def set_login_passwords(engine: Engine, passwords: Mapping[str, str]) -> list[str]:
    """Give each named role LOGIN and its password, in one transaction; return the roles changed."""
    unknown = sorted(set(passwords) - set(LOGIN_PASSWORD_VARIABLES))
    if unknown:
        raise ConfigurationError(f"not a resultsnight login role: {', '.join(unknown)}")
    verifiers = {role: scram_verifier(password) for role, password in sorted(passwords.items())}
    if not verifiers:
        return []
    with engine.begin() as conn:
        found = {
            row.role: row for row in conn.execute(sql("queries/admin/role_attributes"), {"roles": list(verifiers)})
        }
        missing = sorted(set(verifiers) - set(found))
        if missing:
            raise ConfigurationError(f"roles {', '.join(missing)} do not exist: run `resultsnight db init` first")
        powerful = sorted(role for role, row in found.items() if row.powerful)
        if powerful:
            raise ConfigurationError(
                f"roles {', '.join(powerful)} have more than their grants (superuser, createrole, "
                "createdb, bypassrls or replication): refusing to let them log in"
            )
        for role, verifier in verifiers.items():
            statement = conn.execute(
                sql("queries/admin/alter_role_password"), {"role": role, "verifier": verifier}
            ).scalar_one()
            conn.exec_driver_sql(statement)
    return list(verifiers)
