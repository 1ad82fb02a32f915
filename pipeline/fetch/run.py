"""Entry points: `resultsnight fetch` (settings from the environment) and the resultsnight_fetch DAG."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipeline.config import Settings, load_settings
from pipeline.exceptions import ConfigurationError
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.client import open_client
from pipeline.fetch.loop import Fetcher
from pipeline.fetch.state import FetchReport

if TYPE_CHECKING:
    from sqlalchemy import Engine


def address_from_settings(settings: Settings) -> FeedAddress:
    """The feed's address from RESULTSNIGHT_FEED_URL and the RESULTSNIGHT_FEED_* key settings."""
    if not settings.feed_url:
        raise ConfigurationError(
            "RESULTSNIGHT_FEED_URL is not set: the agency's server, e.g. ftp://user:password@host:21/live "
            "or sftp://user@host:22/live (with RESULTSNIGHT_FEED_HOST_KEYS or RESULTSNIGHT_FEED_KNOWN_HOSTS)"
        )
    return FeedAddress.from_url(
        settings.feed_url,
        key_file=settings.feed_key_file,
        known_hosts=settings.feed_known_hosts,
        host_key=settings.feed_host_key,
    )


def fetch_feed(
    address: FeedAddress,
    settings: Settings | None = None,
    *,
    once: bool = False,
    seconds: float | None = None,
    stop: threading.Event | None = None,
    engine: Engine | None = None,
) -> FetchReport:
    """Pull the feed into the inbox: one pass (once), or polling until stopped or for so many seconds."""
    settings = settings or load_settings()
    if engine is None:
        from pipeline.db import get_engine

        engine = get_engine(settings)
    fetcher = Fetcher(open_client(address), address, settings.inbox, engine, poll_seconds=settings.fetch_poll_seconds)
    return fetcher.run_once() if once else fetcher.run(stop=stop, seconds=seconds)


def fetch_task(
    conn_type: str,
    host: str,
    port: int | None,
    login: str | None,
    password: str | None,
    schema: str | None,
    extra: Mapping[str, object] | None,
    seconds: float,
) -> dict:
    """The resultsnight_fetch DAG's task: poll the connection's feed for so many seconds; a summary for XCom."""
    address = FeedAddress.from_parts(conn_type, host, port, login, password, schema, extra)
    return fetch_feed(address, seconds=seconds).as_dict()
