"""A consumer whose aiokafka fetcher died holds its partitions and hands nothing over: the
workers notice and start their consumers afresh (hub.outbox.stall)."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.consumer.fetcher import Fetcher

from tests.integration.events.support import (
    Recorder,
    emit_products,
    event_hub,
    running,
    settings_for,
    unique,
    wait_applied,
)

pytestmark = pytest.mark.kafka


async def test_a_consumer_whose_fetcher_died_is_started_afresh_and_the_events_arrive(
    database_url: str, kafka: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = Recorder(unique("shop"), types=("product.upserted",))
    settings = settings_for(database_url, "kafka", kafka, kafka_stall_seconds=2.0)
    async with event_hub(settings, shop.subscriber()) as hub, running(hub) as runtime:
        await wait_applied(hub, shop.name, await emit_products(hub, 5), alive=[runtime])

        # What the stall of the PostgreSQL+Kafka fault day looked like: an error aiokafka does
        # not expect ends the consumer's background fetch task (logged once, "Unexpected error
        # in fetcher routine"); its getone() waits for that task for ever while the consumer
        # goes on heartbeating and keeps its partitions.
        fetch = Fetcher._proc_fetch_request
        died: list[Fetcher] = []

        async def dies_once(self: Fetcher, *args: Any) -> bool:
            if not died:
                died.append(self)
                raise RuntimeError("an error aiokafka's fetcher does not expect")
            return bool(await fetch(self, *args))

        monkeypatch.setattr(Fetcher, "_proc_fetch_request", dies_once)
        ids = await emit_products(hub, 20, first=5)
        await wait_applied(hub, shop.name, ids, timeout=30, alive=[runtime])
        assert died, "the fetcher never fetched again after the first events"
        assert died[0].error_future.done(), "the injected error did not end the fetch task"
