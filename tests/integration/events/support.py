"""What the event tests share: a subscriber with database effects, hubs, runtimes, checks.

The test subscriber (:class:`Recorder`) writes one row per event it applies into
``test_event_effects``, inside the unit of work the runtime commits together with the
inbox row. "Applied exactly once" is then a fact about the database: one effects row per
``event_id``. The effects table's own ids record the order in which events were applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.core.events import ProductUpserted, WarehouseUpserted
from hub.db import tables as t
from hub.db.engine import Database
from hub.db.uow import SqlUnitOfWork
from hub.outbox.runtime import EventRuntime
from hub.outbox.subscribers import Delivered, Subscriber

__all__ = [
    "Applied",
    "OutboxRow",
    "Recorder",
    "applied",
    "assert_applied_once_in_order",
    "count_outcomes",
    "drop_effects_table",
    "emit_products",
    "emit_warehouses",
    "event_hub",
    "eventually",
    "inbox",
    "outbox",
    "read_topic",
    "read_topics",
    "republish_all",
    "running",
    "settings_for",
    "unique",
    "unpublished",
    "wait_applied",
]

effects_metadata = MetaData()
effects = Table(
    "test_event_effects",
    effects_metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber", String(128), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(128), nullable=False),
    Column("worker", String(32), nullable=False),
)


def unique(name: str) -> str:
    """A subscriber name no other test uses (its Kafka consumer group is ``hub.<name>``)."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def settings_for(database_url: str, transport: str = "local", bootstrap: str = "", **overrides: Any) -> Settings:
    """Settings with retries and polls short enough for tests."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "transport": transport,
        "kafka_bootstrap": bootstrap or "127.0.0.1:9",
        "migrate_on_start": False,
        "poll_interval": 0.2,
        "consumer_retry_delay": 0.01,
        "consumer_max_attempts": 3,
        "relay_batch_size": 100,
        **overrides,
    }
    return Settings(**values, _env_file=None)  # type: ignore[call-arg]


# -- the test subscriber -----------------------------------------------------------------------


class HandlerDown(RuntimeError):
    """What the test handler raises for an aggregate it is told to fail on."""


@dataclass
class Recorder:
    """A subscriber whose handler writes an effects row per event, in the runtime's unit of work.

    ``failing`` holds aggregate ids whose events the handler refuses while they are
    listed (a downstream system that is down); ``calls`` counts handler calls per event.
    """

    name: str
    types: tuple[str, ...] = ()
    failing: set[str] = field(default_factory=set)
    calls: Counter[str] = field(default_factory=Counter)

    def subscriber(self, worker: str = "w1") -> Subscriber:
        async def handle(delivered: Delivered, uow: SqlUnitOfWork) -> None:
            envelope = delivered.envelope
            self.calls[envelope.event_id] += 1
            if envelope.aggregate_id in self.failing:
                raise HandlerDown(f"the system behind {envelope.aggregate_id} is down")
            await uow.session.execute(
                insert(effects).values(
                    subscriber=self.name,
                    event_id=envelope.event_id,
                    aggregate_type=envelope.aggregate_type,
                    aggregate_id=envelope.aggregate_id,
                    worker=worker,
                )
            )

        return Subscriber.of(self.name, handle, self.types)


def count_outcomes(hub: Hub) -> Counter[str]:
    """Count the outcomes (applied, duplicate, skipped, dead) of every message ``hub`` handles."""
    outcomes: Counter[str] = Counter()
    before = hub.delivery.on_outcome

    def record(subscriber: str, outcome: str) -> None:
        outcomes[outcome] += 1
        if before is not None:
            before(subscriber, outcome)

    hub.delivery.on_outcome = record
    return outcomes


# -- hubs and runtimes --------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def event_hub(settings: Settings, *subscribers: Subscriber) -> AsyncIterator[Hub]:
    """A hub running ``subscribers``, with the effects table in its database."""
    hub = build(settings, subscribers=subscribers)
    try:
        async with hub.db.writing() as conn:
            await conn.run_sync(effects_metadata.create_all)
        yield hub
    finally:
        await hub.close()


async def drop_effects_table(database_url: str) -> None:
    """Leave a shared database with only the hub's own tables (the migrations test compares them)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(effects_metadata.drop_all)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def running(hub: Hub, *, relay: bool = True, workers: bool = True) -> AsyncIterator[EventRuntime]:
    """The hub's relay and/or subscribers, running in the background for the block."""
    runtime = EventRuntime(hub, relay=relay, workers=workers)
    runtime.start()
    try:
        yield runtime
    finally:
        await runtime.close(timeout=20)


async def eventually(
    check: Callable[[], Awaitable[bool]],
    what: str,
    *,
    timeout: float = 60.0,
    every: float = 0.05,
    alive: Iterable[EventRuntime] = (),
) -> float:
    """Poll ``check`` until it holds (returns the seconds it took); fail after ``timeout``.

    A runtime in ``alive`` that ends early fails the wait at once, with its error.
    """
    started = time.monotonic()
    runtimes = list(alive)
    while not await check():
        for runtime in runtimes:
            task = runtime._task
            if task is not None and task.done():
                raise AssertionError(f"the event runtime stopped while waiting for {what}") from task.exception()
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        await asyncio.sleep(every)
    return time.monotonic() - started


# -- writing events -----------------------------------------------------------------------------


async def emit_products(
    hub: Hub, count: int, *, keys: int = 10, per_commit: int = 50, prefix: str = "SKU", first: int = 0
) -> list[str]:
    """Commit ``count`` product events over ``keys`` SKUs, ``per_commit`` per unit of work; their ids."""
    ids: list[str] = []
    for start in range(first, first + count, per_commit):
        async with hub.uow() as uow:
            for n in range(start, min(start + per_commit, first + count)):
                uow.emit(_product(f"{prefix}-{n % keys}", n))
            await uow.commit()
            ids.extend(envelope.event_id for envelope in uow.committed)
    return ids


async def emit_warehouses(hub: Hub, codes: Sequence[str]) -> list[str]:
    async with hub.uow() as uow:
        for code in codes:
            uow.emit(WarehouseUpserted(code=code, name=f"Warehouse {code}"))
        await uow.commit()
        return [envelope.event_id for envelope in uow.committed]


def _product(sku: str, n: int) -> ProductUpserted:
    return ProductUpserted(
        sku=sku,
        name=f"{sku} revision {n}",
        unit="pcs",
        barcode=None,
        list_price=None,
        reorder_point=None,
        reorder_max=None,
        active=True,
    )


# -- reading the database -----------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    seq: int
    event_id: str
    type: str
    aggregate_type: str
    aggregate_id: str
    published: bool


@dataclass(frozen=True)
class Applied:
    id: int
    event_id: str
    aggregate_type: str
    aggregate_id: str
    worker: str


async def outbox(db: Database) -> list[OutboxRow]:
    """Every outbox row, in outbox (commit) order."""
    o = t.outbox.c
    stmt = select(o.id, o.event_id, o.type, o.aggregate_type, o.aggregate_id, o.published_at.is_not(None))
    async with db.engine.connect() as conn:
        return [OutboxRow(*row) for row in await conn.execute(stmt.order_by(o.id))]


async def unpublished(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).where(t.outbox.c.published_at.is_(None))) or 0)


async def inbox(db: Database, subscriber: str) -> set[str]:
    """The event ids ``subscriber`` has applied, by its inbox."""
    stmt = select(t.inbox.c.event_id).where(t.inbox.c.subscriber == subscriber)
    async with db.engine.connect() as conn:
        return set((await conn.scalars(stmt)).all())


async def applied(db: Database, subscriber: str) -> list[Applied]:
    """The effects ``subscriber`` made, in the order it made them."""
    e = effects.c
    stmt = select(e.id, e.event_id, e.aggregate_type, e.aggregate_id, e.worker).where(e.subscriber == subscriber)
    async with db.engine.connect() as conn:
        return [Applied(*row) for row in await conn.execute(stmt.order_by(e.id))]


async def wait_applied(
    hub: Hub, subscriber: str, event_ids: Iterable[str], *, timeout: float = 60.0, alive: Iterable[EventRuntime] = ()
) -> float:
    wanted = set(event_ids)

    async def done() -> bool:
        return wanted <= await inbox(hub.db, subscriber)

    return await eventually(done, f"{subscriber} applied all {len(wanted)} events", timeout=timeout, alive=alive)


async def republish_all(db: Database) -> None:
    """Mark every row unpublished again: what a relay dying before it marks looks like."""
    async with db.writing() as conn:
        await conn.execute(update(t.outbox).values(published_at=None))


async def assert_applied_once_in_order(db: Database, subscriber: str, expected: Sequence[OutboxRow]) -> list[Applied]:
    """Each expected event applied exactly once, and each aggregate's events in outbox order."""
    effects_made = await applied(db, subscriber)
    times = Counter(effect.event_id for effect in effects_made)
    missing = [row.event_id for row in expected if times[row.event_id] == 0]
    assert not missing, f"{len(missing)} of {len(expected)} events never applied, e.g. {missing[:3]}"
    repeated = {event_id: n for event_id, n in times.items() if n > 1}
    assert not repeated, f"events applied more than once: {dict(list(repeated.items())[:5])}"
    assert {row.event_id for row in expected} <= await inbox(db, subscriber)
    seq = {row.event_id: row.seq for row in expected}
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for effect in effects_made:
        if effect.event_id in seq:
            by_key[(effect.aggregate_type, effect.aggregate_id)].append(seq[effect.event_id])
    disordered = {key: seqs for key, seqs in by_key.items() if seqs != sorted(seqs)}
    assert not disordered, f"applied out of outbox order: {disordered}"
    return effects_made


# -- reading Kafka ------------------------------------------------------------------------------


async def read_topic(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every message now in ``topic``, partition by partition, each in offset order."""
    return (await read_topics(bootstrap, [topic]))[topic]


async def read_topics(
    bootstrap: str, topics: Iterable[str], *, quiet: float = 1.0
) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
    """Every message now in each of ``topics``, partition by partition, each in offset order.

    Reads until nothing more arrives for ``quiet`` seconds: Tansu's end offsets
    (ListOffsets "latest") are not the partitions' ends, so they cannot say when to stop.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        await consumer.topics()  # loads the metadata
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        records: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = defaultdict(list)
        if partitions:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            while batch := await consumer.getmany(timeout_ms=int(quiet * 1000)):
                for tp, got in batch.items():
                    records[tp].extend(got)
        return {topic: [r for tp in partitions if tp.topic == topic for r in records[tp]] for topic in topics}
    finally:
        await consumer.stop()
