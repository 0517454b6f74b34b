"""/metrics: what Prometheus scrapes — outbox backlog, consumer lag, dead letters, event counters."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from prometheus_client.parser import text_string_to_metric_families

from hub.bootstrap import Hub
from hub.core.errors import DomainError
from hub.db.outbox import after, backlog, save_cursor
from hub.ops.scrape import kafka_lag
from hub.outbox.delivery import Message, Outcome
from hub.outbox.kafka import ensure_topics
from hub.outbox.local import LocalPublisher
from hub.outbox.relay import Relay
from hub.outbox.subscribers import Delivered, Subscriber
from tests.api.support import assert_problem, create, purchase

MakeKey = Callable[[str], Awaitable[str]]


async def scrape(api: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, labels)."""
    response = await api.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def of(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples[name, tuple(sorted(labels.items()))]


async def test_metrics_need_a_read_key(anon: httpx.AsyncClient, make_key: MakeKey) -> None:
    response = await anon.get("/metrics")
    assert_problem(response, 401)
    store = await make_key("stock:read")
    assert (
        "'read' is needed"
        in assert_problem(await anon.get("/metrics", headers={"Authorization": f"Bearer {store}"}), 403)["detail"]
    )
    reader = await make_key("read")
    assert (await anon.get("/metrics", headers={"Authorization": f"Bearer {reader}"})).status_code == 200


async def test_an_empty_hub_reports_zeros(api: httpx.AsyncClient) -> None:
    samples = await scrape(api)
    assert of(samples, "hub_outbox_backlog_rows") == 0
    assert of(samples, "hub_outbox_oldest_unpublished_age_seconds") == 0
    assert of(samples, "hub_outbox_last_seq") == 0
    assert of(samples, "hub_events_published_total") == 0


async def test_the_backlog_is_the_unpublished_outbox(hub: Hub, api: httpx.AsyncClient) -> None:
    await create(api, "/v1/warehouses", {"code": "SH", "name": "Shanghai"})
    await create(api, "/v1/products", {"sku": "TEA", "name": "Tea"})
    await asyncio.sleep(0.05)
    samples = await scrape(api)
    outbox = await backlog(hub.db)
    assert of(samples, "hub_outbox_backlog_rows") == outbox.rows == 2
    assert of(samples, "hub_outbox_last_seq") == outbox.last_seq > 0
    assert 0.05 <= of(samples, "hub_outbox_oldest_unpublished_age_seconds") < 60


async def test_the_relay_publishes_the_backlog_and_counts_it(hub: Hub, api: httpx.AsyncClient) -> None:
    for code in ("SH", "BJ", "GZ"):
        await create(api, "/v1/warehouses", {"code": code, "name": code})
    relay = Relay(hub.db, LocalPublisher(), poll_interval=0.05, on_published=hub.metrics.published)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        async with asyncio.timeout(10):
            while (await backlog(hub.db)).rows:
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await running
    samples = await scrape(api)
    assert of(samples, "hub_events_published_total") == 3
    assert of(samples, "hub_outbox_backlog_rows") == 0
    assert of(samples, "hub_outbox_oldest_unpublished_age_seconds") == 0


class Refused(DomainError):
    pass


async def refuse(delivered: Delivered, uow: Any) -> None:
    raise Refused(f"cannot handle {delivered.envelope.type}")


async def test_dead_letters_are_counted_per_subscriber(hub: Hub, api: httpx.AsyncClient) -> None:
    picky = Subscriber.of("picky", refuse)
    hub.subscribers["picky"] = picky
    hub.subscribers["calm"] = Subscriber.of("calm", refuse, ["product.upserted"])
    await create(api, "/v1/warehouses", {"code": "SH", "name": "Shanghai"})
    await create(api, "/v1/warehouses", {"code": "BJ", "name": "Beijing"})
    for record in await after(hub.db, 0, 10):
        outcome = await hub.delivery.handle(picky, Message(record.message, f"outbox:{record.seq}"))
        assert outcome is Outcome.DEAD
    samples = await scrape(api)
    assert of(samples, "hub_dead_letters_pending", subscriber="picky") == 2
    assert of(samples, "hub_dead_letters_pending", subscriber="calm") == 0
    assert of(samples, "hub_events_consumed_total", subscriber="picky", outcome="dead") == 2


async def test_local_consumer_lag_is_last_seq_minus_cursor(hub: Hub, api: httpx.AsyncClient) -> None:
    hub.subscribers["audit"] = Subscriber.of("audit", refuse)
    hub.subscribers["mailer"] = Subscriber.of("mailer", refuse)
    await create(api, "/v1/warehouses", {"code": "SH", "name": "Shanghai"})
    await create(api, "/v1/suppliers", {"code": "ACME", "name": "Acme"})
    await create(api, "/v1/products", {"sku": "TEA", "name": "Tea"})
    await purchase(api, [("TEA", 5, "1.00")])
    records = await after(hub.db, 0, 100)
    last = records[-1].seq
    await save_cursor(hub.db, "audit", records[2].seq)
    await save_cursor(hub.db, "elsewhere", last)  # a subscriber another process runs
    samples = await scrape(api)
    assert of(samples, "hub_outbox_last_seq") == last
    assert of(samples, "hub_consumer_lag", subscriber="audit") == last - records[2].seq == len(records) - 3
    assert of(samples, "hub_consumer_lag", subscriber="mailer") == last  # no cursor yet: everything
    assert of(samples, "hub_consumer_lag", subscriber="elsewhere") == 0


async def test_kafka_transport_reports_lag_only_from_running_consumers(hub: Hub, api: httpx.AsyncClient) -> None:
    hub.settings.transport = "kafka"
    hub.subscribers["audit"] = Subscriber.of("audit", refuse)
    await save_cursor(hub.db, "audit", 0)
    await create(api, "/v1/warehouses", {"code": "SH", "name": "Shanghai"})
    assert not any(name == "hub_consumer_lag" for name, _ in await scrape(api))
    hub.metrics.kafka_broker = FakeBroker(  # type: ignore[assignment]
        [("hub.audit", [FakeConsumer({0: (10, 4), 1: (7, 7), 2: (None, 0)})]), ("hub.idle", [None])]
    )
    samples = await scrape(api)
    assert of(samples, "hub_consumer_lag", subscriber="audit") == 6
    assert ("hub_consumer_lag", (("subscriber", "idle"),)) not in samples


class FakeConsumer:
    """What kafka_lag asks of an aiokafka consumer: partition → (highwater, position)."""

    def __init__(self, offsets: dict[int, tuple[int | None, int]]) -> None:
        self.offsets = offsets

    def assignment(self) -> set[int]:
        return set(self.offsets)

    def highwater(self, partition: int) -> int | None:
        return self.offsets[partition][0]

    async def position(self, partition: int) -> int:
        return self.offsets[partition][1]


def FakeBroker(groups: list[tuple[str, list[FakeConsumer | None]]]) -> Any:
    """A faststream broker as kafka_lag sees it: subscribers with a group and their consumers."""
    return SimpleNamespace(
        subscribers=[SimpleNamespace(group_id=group, consumer_subgroup=consumers) for group, consumers in groups]
    )


async def test_kafka_lag_sums_partitions_per_group() -> None:
    broker = FakeBroker(
        [
            ("hub.audit", [FakeConsumer({0: (10, 4)}), FakeConsumer({1: (3, 1)})]),
            ("hub.mailer", [FakeConsumer({})]),
        ]
    )
    assert await kafka_lag(broker) == {"audit": 8, "mailer": 0}


@pytest.mark.parametrize("timeout", [0.01])
async def test_kafka_lag_skips_a_partition_without_a_position(timeout: float) -> None:
    class Waiting(FakeConsumer):
        async def position(self, partition: int) -> int:
            await asyncio.sleep(10)
            return 0

    broker = FakeBroker([("hub.audit", [Waiting({0: (5, 0)})])])
    assert await kafka_lag(broker, timeout=timeout) == {"audit": 0}


@pytest.mark.kafka
async def test_kafka_lag_of_real_consumers_counts_what_the_handler_has_not_had(kafka: str) -> None:
    topic = "hub.lag_test.v1"
    await ensure_topics(kafka, [topic], 1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        for n in range(20):
            await producer.send(topic, f"record {n}".encode(), key=b"k")
        await producer.flush()
    finally:
        await producer.stop()
    broker = KafkaBroker(kafka, logger=None)
    release, handled = asyncio.Event(), []

    @broker.subscriber(topic, group_id="hub.audit", auto_offset_reset="earliest", ack_policy=AckPolicy.ACK)
    async def handle(body: bytes) -> None:
        await release.wait()
        handled.append(body)

    await broker.start()
    try:
        async with asyncio.timeout(30):
            while await kafka_lag(broker) != {"audit": 19}:  # the first record is in the handler
                await asyncio.sleep(0.05)
            release.set()
            while await kafka_lag(broker) != {"audit": 0} or len(handled) < 20:
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()
    assert await kafka_lag(broker) == {}, "stopped consumers report nothing"
