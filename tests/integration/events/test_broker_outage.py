"""The broker goes away while the hub keeps taking changes: nothing is lost, order holds.

Two kinds of outage, on a Tansu broker of the test's own: stopped (connections refused;
it comes back on the same port, *empty*: memory storage), and frozen with SIGSTOP
(connections hang, nothing answers; it comes back with everything). Consumers have
caught up before the outage, so an empty broker loses nothing the hub still needs: the
relay must recreate the topics and publish the rows that waited in the outbox.

One run each (stopped on SQLite, frozen on PostgreSQL): the outage is the long part.
``HUB_TEST_OUTAGE_SECONDS`` sets its length (default 30).
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from hub.bootstrap import Hub
from hub.outbox.runtime import EventRuntime
from hub.outbox.tansu import TansuBroker
from tests.brokers import list_topics
from tests.integration.events.support import (
    Recorder,
    assert_applied_once_in_order,
    emit_products,
    event_hub,
    outbox,
    running,
    settings_for,
    unique,
    unpublished,
    wait_applied,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(180)]

OUTAGE = float(os.environ.get("HUB_TEST_OUTAGE_SECONDS", "30"))


async def _keep_writing(hub: Hub, runtime: EventRuntime, seconds: float, first: int) -> list[str]:
    """Commit five events every half second for ``seconds``; the runtime must stay up throughout."""
    ids: list[str] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        ids += await emit_products(hub, 5, keys=10, first=first + len(ids))
        assert runtime._task is not None and not runtime._task.done(), "the event runtime gave up"
        await asyncio.sleep(0.5)
    return ids


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_broker_stopped_for_a_while_as_writes_go_on_then_everything_is_delivered(
    database_url: str, tansu: TansuBroker
) -> None:
    shop = Recorder(unique("shop"))
    settings = settings_for(database_url, "kafka", tansu.bootstrap)
    async with event_hub(settings, shop.subscriber()) as hub:
        async with running(hub) as runtime:
            before = await emit_products(hub, 200, keys=10)
            await wait_applied(hub, shop.name, before, alive=[runtime])

            tansu.stop()
            during = await _keep_writing(hub, runtime, OUTAGE, first=len(before))
            assert await unpublished(hub.db) == len(during), "the rows wait in the outbox"
            tansu.start()
            assert await list_topics(tansu.bootstrap) == [], "the broker came back empty"

            after = await emit_products(hub, 50, keys=10, first=len(before) + len(during))
            took = await wait_applied(hub, shop.name, before + during + after, timeout=90, alive=[runtime])
        assert await unpublished(hub.db) == 0
        assert "hub.product.v1" in await list_topics(tansu.bootstrap), "the relay recreated the topics"
        await assert_applied_once_in_order(hub.db, shop.name, await outbox(hub.db))
        assert took < 60, f"{took:.0f}s to catch up after the broker returned"


@pytest.mark.parametrize("database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_broker_frozen_for_a_while_as_writes_go_on_then_everything_is_delivered(
    database_url: str, tansu: TansuBroker
) -> None:
    shop = Recorder(unique("shop"))
    settings = settings_for(database_url, "kafka", tansu.bootstrap)
    async with event_hub(settings, shop.subscriber()) as hub:
        async with running(hub) as runtime:
            before = await emit_products(hub, 200, keys=10)
            await wait_applied(hub, shop.name, before, alive=[runtime])

            tansu.pause()
            try:
                during = await _keep_writing(hub, runtime, OUTAGE * 2 / 3, first=len(before))
            finally:
                tansu.resume()
            after = await emit_products(hub, 50, keys=10, first=len(before) + len(during))
            await wait_applied(hub, shop.name, before + during + after, timeout=90, alive=[runtime])
        assert await unpublished(hub.db) == 0
        await assert_applied_once_in_order(hub.db, shop.name, await outbox(hub.db))
