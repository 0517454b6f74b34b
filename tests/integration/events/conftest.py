"""Fixtures for the event tests: the transport under test, and a broker a test may stop.

``transport`` runs a test once on the ``local`` transport and once on ``kafka`` (marked
``kafka``); with ``database_url`` that makes four runs: {SQLite, PostgreSQL} × {local, Kafka}.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.outbox.tansu import BrokerUnavailable, TansuBroker
from tests.integration.events.support import drop_effects_table


@pytest.fixture(params=["local", pytest.param("kafka", marks=pytest.mark.kafka)])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bootstrap(transport: str, request: pytest.FixtureRequest) -> str:
    """The broker of the ``kafka`` transport (topics emptied); nothing for ``local``."""
    return str(request.getfixturevalue("kafka")) if transport == "kafka" else ""


@pytest.fixture
def tansu(tmp_path: Path) -> Iterator[TansuBroker]:
    """A Tansu broker of this test's own, to stop, pause and start again on the same port.

    Memory storage: a stopped broker comes back empty (no topics, no group offsets).
    """
    broker = TansuBroker(log=tmp_path / "tansu.log")
    try:
        broker.start()
    except BrokerUnavailable as error:
        if os.environ.get("HUB_REQUIRE_KAFKA", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"no Tansu broker to stop and start: {error} (HUB_REQUIRE_KAFKA=1)")
        pytest.skip(f"no Tansu broker to stop and start: {error}")
    try:
        yield broker
    finally:
        broker.kill()


@pytest.fixture(autouse=True)
def _no_effects_table_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """The PostgreSQL database is the session's: drop the test subscriber's table after each test."""
    url = str(request.getfixturevalue("database_url")) if "database_url" in request.fixturenames else ""
    yield
    if url.startswith("postgresql"):
        asyncio.run(drop_effects_table(url))


@pytest.fixture(autouse=True)
def _leaks_show_up_in_their_own_test() -> Iterator[None]:
    """Collect garbage after each test, so an unclosed connection or socket fails the test
    that leaked it (warnings are errors) rather than whichever test the collector next runs in."""
    yield
    gc.collect()
