# The Airflow image for resultsnight: the official Apache Airflow image, our
# pinned dependencies, and the project itself at /opt/resultsnight.
#
#   docker compose build            # (docker-compose.yml builds and tags it)
#
# No `# syntax=` line: BuildKit would fetch that frontend from Docker Hub,
# and the built-in one does everything this file needs.
#
# Airflow is held at the version requirements.lock pins; the Python minor
# version matches the one the project is developed and tested on.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

# pipeline.config.PROJECT_ROOT is the parent folder of the `pipeline` package,
# and sql/, seeds/, expectations/ must sit beside it. An editable install
# keeps the package where it is copied, so PROJECT_ROOT is /opt/resultsnight.
# The data folder is created here, owned by airflow with group 0 writable, so
# the named volume mounted over it in docker-compose.yml starts with the same
# owner and modes (any AIRFLOW_UID with group 0 can write to it).
USER root
RUN mkdir -p /opt/resultsnight/data/inbox /opt/resultsnight/data/archive /opt/airflow/logs \
    && chown -R airflow:0 /opt/resultsnight /opt/airflow/logs \
    && chmod -R g+rwX /opt/resultsnight /opt/airflow/logs
USER airflow

# Dependencies first, so this layer survives code changes: exactly the pins of
# requirements.lock, with apache-airflow held at the image's own version (the
# lock pins the same one). The lock was resolved without the many providers
# the image bundles, so rather than `pip check` (which would also fail on
# providers never loaded here) the build checks that the two this stack uses
# on top of Airflow itself still import: the Celery executor and the FAB auth
# manager (a scratch AIRFLOW_HOME keeps config files out of the image).
COPY --chown=airflow:0 requirements.lock /opt/resultsnight/requirements.lock
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/resultsnight/requirements.lock \
    && AIRFLOW_HOME=/tmp/import-check python -c "import airflow.providers.celery.executors.celery_executor, airflow.providers.fab.auth_manager.fab_auth_manager" \
    && rm -rf /tmp/import-check

# The package itself, editable and without dependencies (they are all above).
COPY --chown=airflow:0 pyproject.toml README.md /opt/resultsnight/
COPY --chown=airflow:0 pipeline/ /opt/resultsnight/pipeline/
RUN pip install --no-cache-dir --no-deps -e /opt/resultsnight \
    && rm -rf /opt/resultsnight/build

# What the package reads at run time from beside itself, then what Airflow
# loads: the DAGs and the plugins (the inbox trigger, the GX preload). They
# are baked in rather than bind-mounted so every scheduler, triggerer and
# worker, on any machine, runs the one version this image was built from.
COPY --chown=airflow:0 sql/ /opt/resultsnight/sql/
COPY --chown=airflow:0 seeds/ /opt/resultsnight/seeds/
COPY --chown=airflow:0 expectations/ /opt/resultsnight/expectations/
COPY --chown=airflow:0 plugins/ /opt/resultsnight/plugins/
COPY --chown=airflow:0 dags/ /opt/resultsnight/dags/

# Every service starts through the refusal of published or empty secrets
# (deploy/refuse-example-secrets.sh, with the example file it compares with),
# then the official image's own entrypoint under dumb-init as before.
COPY --chown=airflow:0 deploy/refuse-example-secrets.sh /opt/resultsnight/deploy/refuse-example-secrets.sh
COPY --chown=airflow:0 deploy/.env.example /opt/resultsnight/deploy/.env.example
ENTRYPOINT ["/usr/bin/dumb-init", "--", "/opt/resultsnight/deploy/refuse-example-secrets.sh", "/entrypoint"]
CMD []
