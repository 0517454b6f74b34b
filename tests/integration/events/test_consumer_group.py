"""Horizontal scale: two workers of one subscriber share its partitions and apply each event once."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from aiokafka import TopicPartition
from faststream.kafka import KafkaBroker

import hub.outbox.kafka as kafka_transport
from hub.bootstrap import Hub
from tests.integration.events.support import (
    Recorder,
    assert_applied_once_in_order,
    emit_products,
    emit_warehouses,
    event_hub,
    eventually,
    outbox,
    running,
    settings_for,
    unique,
    wait_applied,
)

pytestmark = pytest.mark.kafka


async def test_two_workers_in_one_group_share_the_partitions_and_apply_each_event_once(
    database_url: str, kafka: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = Recorder(unique("shop"), types=("product.upserted", "warehouse.upserted"))
    brokers: dict[int, KafkaBroker] = {}
    make_broker = kafka_transport.kafka_broker

    def remembered(bootstrap: str, subscribers: Any, delivery: Any, **options: Any) -> KafkaBroker:
        brokers[id(delivery)] = broker = make_broker(bootstrap, subscribers, delivery, **options)
        return broker

    monkeypatch.setattr(kafka_transport, "kafka_broker", remembered)

    def assigned(hub: Hub) -> set[TopicPartition]:
        broker = brokers.get(id(hub.delivery))
        consumer = broker.subscribers[0].consumer if broker and broker.subscribers else None  # type: ignore[attr-defined]
        return set(consumer.assignment()) if consumer is not None else set()

    settings = settings_for(database_url, "kafka", kafka)
    partitions = {
        TopicPartition(topic, p) for topic in shop.subscriber().topics for p in range(settings.kafka_partitions)
    }
    async with (
        event_hub(settings, shop.subscriber("w1")) as one,
        event_hub(settings, shop.subscriber("w2")) as two,
    ):
        async with running(one) as first, running(two, relay=False) as second:

            async def shared() -> bool:
                mine, theirs = assigned(one), assigned(two)
                return bool(mine) and bool(theirs) and not mine & theirs and mine | theirs == partitions

            await eventually(shared, "both workers holding partitions, none held twice", alive=[first, second])
            ids = await emit_products(one, 600, keys=30)
            ids += await emit_warehouses(one, [f"WH{n}" for n in range(24)])
            await wait_applied(one, shop.name, ids, alive=[first, second])
            assert await shared(), "the group did not rebalance meanwhile"

        effects = await assert_applied_once_in_order(one.db, shop.name, await outbox(one.db))
    workers_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for effect in effects:
        workers_of[(effect.aggregate_type, effect.aggregate_id)].add(effect.worker)
    assert {worker for workers in workers_of.values() for worker in workers} == {"w1", "w2"}, "both did work"
    assert all(len(workers) == 1 for workers in workers_of.values()), "an aggregate stays with one worker"
