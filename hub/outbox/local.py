"""The ``local`` transport: subscribers read the outbox table itself, in-process.

Each subscriber has a dispatcher (one per database, by leadership) that reads rows after
its persisted cursor, hands them to the subscriber in commit order, and moves the
cursor on. A crash re-reads at most one batch, which the inbox drops. The relay, on
this transport, only marks rows published: the table is the broker.
"""

from __future__ import annotations

import asyncio
import logging

from hub.db.engine import Database
from hub.db.outbox import OutboxRecord, after, cursor, save_cursor
from hub.outbox.delivery import Delivery, Message
from hub.outbox.leadership import Leadership
from hub.outbox.signal import wait
from hub.outbox.subscribers import Subscriber

__all__ = ["LocalDispatcher", "LocalPublisher"]

log = logging.getLogger("hub.local")


class LocalPublisher:
    """Publishing is a no-op: in-process subscribers read the outbox rows directly."""

    async def start(self) -> None:
        return None

    async def publish(self, records: list[OutboxRecord]) -> None:
        return None

    async def stop(self) -> None:
        return None


class LocalDispatcher:
    def __init__(
        self,
        db: Database,
        subscriber: Subscriber,
        delivery: Delivery,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self.db, self.subscriber, self.delivery = db, subscriber, delivery
        self.batch_size, self.poll_interval = batch_size, poll_interval
        #: Outbox position handled so far (also persisted).
        self.position = 0

    async def run(self, stop: asyncio.Event) -> None:
        leadership = Leadership(self.db.url, f"dispatch.{self.subscriber.name}", poll=self.poll_interval)
        while not stop.is_set():
            async with leadership.hold(stop) as lease:
                if lease is None:
                    return
                self.position = await cursor(self.db, self.subscriber.name)
                async with self.db.outbox_signal.listen() as wake:
                    while not stop.is_set() and not lease.lost.is_set():
                        records = await after(self.db, self.position, self.batch_size)
                        if not records:
                            await wait(wake, self.poll_interval)
                            continue
                        for record in records:
                            if stop.is_set():
                                break
                            if record.aggregate_type in self.subscriber.aggregates:
                                await self.delivery.handle(
                                    self.subscriber, Message(record.message, f"outbox:{record.seq}")
                                )
                            self.position = record.seq
                        await save_cursor(self.db, self.subscriber.name, self.position)
