"""A relay cancelled while a mark waits on a lock leaves no half-done transaction behind.

On PostgreSQL the relay marks rows on a connection of the pool, in a transaction it
opens itself (``BEGIN; UPDATE …``, then ``COMMIT``). Cancelled in between, that
connection must not go back to the pool inside the transaction, and the mark must not
land: the rows stay unpublished until a relay publishes and marks them again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal

import asyncpg
import pytest
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import make_url

from hub.core.events import StockLevelChanged
from hub.db import tables as t
from hub.db.engine import Database, open_database
from hub.db.outbox import OutboxRecord, outbox_row
from hub.outbox.envelope import envelope_for
from hub.outbox.relay import Relay

pytestmark = pytest.mark.postgres

ROWS, BATCH = 30, 10


class Broker:
    """Takes every batch at once, noting what it was sent."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def start(self) -> None:
        return None

    async def publish(self, records: list[OutboxRecord]) -> None:
        self.sent += [r.seq for r in records]

    async def stop(self) -> None:
        return None


async def _fill(db: Database) -> None:
    levels = [
        StockLevelChanged(
            sku=f"SKU-{i}", warehouse="WH", on_hand=Decimal(i), reserved=0, available=Decimal(i), in_transit=0
        )
        for i in range(ROWS)
    ]
    async with db.writing() as conn:
        await conn.execute(delete(t.outbox))
        await conn.execute(insert(t.outbox), [outbox_row(envelope_for(level, tenant="t")) for level in levels])


async def _unpublished(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).where(t.outbox.c.published_at.is_(None))) or 0)


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    try:
        async with asyncio.timeout(30):
            while not await check():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not within 30 s: {what}") from None


async def test_a_relay_cancelled_while_its_mark_waits_marks_nothing_and_leaks_no_transaction(
    postgres_url: str,
) -> None:
    db = open_database(postgres_url)
    pg = await asyncpg.connect(make_url(postgres_url).set(drivername="postgresql").render_as_string(False))
    try:
        await _fill(db)
        broker = Broker()
        lock = pg.transaction()
        await lock.start()
        await pg.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")  # reads go on; the relay's marks wait
        relay = asyncio.create_task(Relay(db, broker, batch_size=BATCH, poll_interval=0.05).run(asyncio.Event()))

        async def two_batches_sent() -> bool:
            return len(broker.sent) >= 2 * BATCH

        await _until(two_batches_sent, "the first mark waiting, the next batch sent")
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay
        await lock.rollback()

        async def settled() -> bool:  # the cut-off mark's backend gone, its transaction rolled back
            busy = await pg.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND (state LIKE 'idle in transaction%' OR query LIKE '%UPDATE outbox%')"
                " AND state <> 'idle'"
            )
            return busy == 0

        await _until(settled, "no transaction of the cancelled relay left open")
        assert await _unpublished(db) == ROWS, "the cancelled mark did not land"

        stop = asyncio.Event()
        again = Relay(db, broker, batch_size=BATCH, poll_interval=0.05)
        running = asyncio.create_task(again.run(stop))

        async def drained() -> bool:
            return again.published == ROWS

        await _until(drained, "a new relay published and marked every row")
        stop.set()
        await running
        assert await _unpublished(db) == 0
        async with db.engine.connect() as conn:  # every pooled connection is usable
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await pg.close()
        await db.dispose()
