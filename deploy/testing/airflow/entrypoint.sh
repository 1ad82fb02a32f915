#!/usr/bin/env bash
# ONLY FOR MACHINES WITHOUT A CONTAINER REGISTRY: the /entrypoint of the
# Airflow stand-in image (deploy/testing/airflow/Dockerfile). Written for this
# project, after the behaviour the official image documents
# (https://airflow.apache.org/docs/docker-stack/entrypoint.html), and only
# the parts docker-compose.yml uses:
#   - `bash ...` / `python ...` run as given; `airflow X` and a bare `X` run
#     `airflow X` (so `command: scheduler` works);
#   - before that, wait for the metadata database (`airflow db check`, up to
#     CONNECTION_CHECK_MAX_COUNT tries, CONNECTION_CHECK_SLEEP_TIME apart;
#     0 tries skips it), and for the Celery broker before `celery` commands;
#   - _AIRFLOW_DB_MIGRATE=true runs `airflow db migrate` first;
#   - _AIRFLOW_WWW_USER_CREATE=true creates the UI user from
#     _AIRFLOW_WWW_USER_USERNAME / _PASSWORD (FAB's `airflow users create`).
set -euo pipefail

tries=${CONNECTION_CHECK_MAX_COUNT:-20}
pause=${CONNECTION_CHECK_SLEEP_TIME:-3}

retry() {  # retry DESCRIPTION COMMAND...
    local what=$1; shift
    local n=0
    until "$@" >/dev/null 2>&1; do
        n=$((n + 1))
        if [ "$n" -ge "$tries" ]; then
            echo "entrypoint: gave up waiting for $what after $n tries" >&2
            "$@" || true
            exit 1
        fi
        echo "entrypoint: waiting for $what ($n/$tries)" >&2
        sleep "$pause"
    done
}

broker_up() {  # the Celery broker's host:port accepts a TCP connection
    python - <<'PY'
import os, socket, sys
from urllib.parse import urlsplit
url = urlsplit(os.environ.get("AIRFLOW__CELERY__BROKER_URL", ""))
if not url.hostname:
    sys.exit(0)
socket.create_connection((url.hostname, url.port or 6379), timeout=3).close()
PY
}

case "${1:-}" in
    bash | python)
        cmd=$1; shift
        exec "$cmd" "$@" ;;
    airflow)
        shift ;;
esac

if [ "$tries" -gt 0 ]; then
    retry "the Airflow metadata database" airflow db check
    if [ "${1:-}" = celery ]; then
        retry "the Celery broker" broker_up
    fi
fi
if [ "${_AIRFLOW_DB_MIGRATE:-}" = true ]; then
    airflow db migrate
fi
if [ "${_AIRFLOW_WWW_USER_CREATE:-}" = true ]; then
    : "${_AIRFLOW_WWW_USER_PASSWORD:?_AIRFLOW_WWW_USER_CREATE needs _AIRFLOW_WWW_USER_PASSWORD}"
    airflow users create \
        --username "${_AIRFLOW_WWW_USER_USERNAME:-admin}" \
        --password "${_AIRFLOW_WWW_USER_PASSWORD}" \
        --firstname "${_AIRFLOW_WWW_USER_FIRSTNAME:-Airflow}" \
        --lastname "${_AIRFLOW_WWW_USER_LASTNAME:-Admin}" \
        --email "${_AIRFLOW_WWW_USER_EMAIL:-airflowadmin@example.com}" \
        --role "${_AIRFLOW_WWW_USER_ROLE:-Admin}" || true  # already there on a rerun
fi
if [ $# -eq 0 ]; then
    exec airflow --help
fi
exec airflow "$@"
