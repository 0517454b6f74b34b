"""The relay's batches: in outbox order, each row sent once, marked only after the broker took it.

The relay reads the next batch and marks the previous one while a batch is in flight;
these tests hold it to what the one-batch-at-a-time loop promised. And the records it
reads carry the envelope exactly as ``json.dumps`` would write it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, select

from hub.core.events import StockLevelChanged
from hub.db import tables as t
from hub.db.engine import Database, open_database
from hub.db.outbox import OutboxRecord, unpublished
from hub.outbox.envelope import envelope_for
from hub.outbox.relay import PublishError, Relay

ROWS = 120


class Broker:
    """Takes batches after a short delay; refuses chosen ones once; checks none is marked yet."""

    def __init__(self, db: Database, *, refuse: Iterable[int] = ()) -> None:
        self.db, self.refuse = db, set(refuse)
        self.sent: list[int] = []
        self.attempts = 0
        self.marked_early: list[int] = []

    async def start(self) -> None:
        return None

    async def publish(self, records: list[OutboxRecord]) -> None:
        self.attempts += 1
        seqs = [r.seq for r in records]
        async with self.db.engine.connect() as conn:
            marked = await conn.scalars(
                select(t.outbox.c.id).where(t.outbox.c.id.in_(seqs), t.outbox.c.published_at.is_not(None))
            )
            self.marked_early += list(marked)
        await asyncio.sleep(0.005)  # in flight: the relay reads and marks meanwhile
        if seqs[0] in self.refuse:
            self.refuse.discard(seqs[0])
            raise PublishError("broker unavailable")
        self.sent += seqs

    async def stop(self) -> None:
        return None


async def _fill(db: Database) -> list[int]:
    rows = [
        envelope_for(
            StockLevelChanged(
                sku=f"SKU-{i % 9}",
                warehouse="WH",
                on_hand=Decimal(i),
                reserved=Decimal(0),
                available=Decimal(i),
                in_transit=Decimal(0),
            ),
            tenant="test",
        ).model_dump()
        for i in range(ROWS)
    ]
    async with db.writing() as conn:
        await conn.execute(insert(t.outbox), rows)
    async with db.engine.connect() as conn:
        return list(await conn.scalars(select(t.outbox.c.id).order_by(t.outbox.c.id)))


async def _drain(db: Database, broker: Broker) -> Relay:
    stop = asyncio.Event()
    relay = Relay(db, broker, batch_size=7, poll_interval=0.05)
    task = asyncio.create_task(relay.run(stop))
    try:
        async with asyncio.timeout(30):
            while relay.published < ROWS:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # a few idle polls: nothing may be sent again
    finally:
        stop.set()
        await task
    return relay


async def test_every_row_is_sent_once_in_order_and_marked_after_it_was_taken(database_url: str) -> None:
    db = open_database(database_url)
    try:
        ids = await _fill(db)
        broker = Broker(db)
        relay = await _drain(db, broker)
        assert broker.sent == ids
        assert broker.marked_early == []
        assert relay.published == ROWS
        async with db.engine.connect() as conn:
            assert await conn.scalar(select(t.outbox.c.id).where(t.outbox.c.published_at.is_(None))) is None
    finally:
        await db.dispose()


async def test_a_refused_batch_is_sent_again_before_any_later_row(database_url: str) -> None:
    db = open_database(database_url)
    try:
        ids = await _fill(db)
        broker = Broker(db, refuse={ids[14], ids[63]})  # the first rows of the third and tenth batches
        await _drain(db, broker)
        assert broker.sent == ids
        assert broker.marked_early == []
        assert broker.attempts == ROWS // 7 + 1 + 2
    finally:
        await db.dispose()


async def test_a_record_carries_its_envelope_as_compact_json_whatever_its_strings(database_url: str) -> None:
    db = open_database(database_url)
    try:
        event = StockLevelChanged(
            sku='we"ird\\ SKU ü 进销存 \n\t\x01',
            warehouse="WH",
            on_hand=Decimal("12.5"),
            reserved=Decimal(0),
            available=Decimal("12.5"),
            in_transit=Decimal(0),
        )
        envelope = envelope_for(event, tenant="t€nant", occurred_at=datetime(2025, 3, 1, 8, 0, tzinfo=UTC))
        async with db.writing() as conn:
            await conn.execute(insert(t.outbox), [envelope.model_dump() | {"causation_id": 'c"1'}])
        [record] = await unpublished(db, 10)
        head = envelope.model_dump(mode="json", exclude={"payload"}) | {"causation_id": 'c"1'}
        head["occurred_at"] = "2025-03-01T08:00:00Z"
        expected = json.dumps(head, separators=(",", ":"))[:-1]
        assert record.message.startswith(expected.encode() + b',"payload":')
        assert json.loads(record.message)["payload"] == envelope.payload
        assert (record.aggregate_id, record.topic) == (event.sku, "hub.stock.v1")
    finally:
        await db.dispose()
