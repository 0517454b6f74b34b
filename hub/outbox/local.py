"""The ``local`` transport: subscribers read the outbox table itself, in-process.

Each subscriber has a dispatcher (one per database, by leadership) that reads rows after
its persisted cursor, hands them to the subscriber in commit order, and moves the
cursor on. A crash re-reads at most one batch, which the inbox drops. The relay, on
this transport, only marks rows published: the table is the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hub.db.engine import Database
from hub.db.outbox import OutboxRecord, after, cursor, save_cursor
from hub.outbox.delivery import Delivery, Message
from hub.outbox.leadership import Leadership
from hub.outbox.signal import wait
from hub.outbox.subscribers import Subscriber
from hub.outbox.trace import Trace

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
        trace: Trace | None = None,
    ) -> None:
        self.db, self.subscriber, self.delivery = db, subscriber, delivery
        self.batch_size, self.poll_interval = batch_size, poll_interval
        #: Told when the dispatcher wakes and what it read (the bench's stage timings).
        self.trace = trace
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
                            if self.trace is not None:
                                self.trace("consumer.woken", ())
                            continue
                        if self.trace is not None:
                            self.trace("consumer.fetched", [r.event_id for r in records])
                        for record in records:
                            if stop.is_set():
                                break
                            wanted = record.aggregate_type in self.subscriber.aggregates
                            if wanted and not await self._deliver(record, stop):
                                break
                            self.position = record.seq
                        await save_cursor(self.db, self.subscriber.name, self.position)

    async def _deliver(self, record: OutboxRecord, stop: asyncio.Event) -> bool:
        """Hand ``record`` to the subscriber until it is applied or parked; False if stopped first.

        Delivery applies or parks every message; what escapes it is trouble with the
        database itself. Moving past the row would lose it for this subscriber, so the
        dispatcher tries the same row again after a pause, as a Kafka consumer does.
        """
        message = Message(record.message, f"outbox:{record.seq}")
        pause = self.poll_interval
        while not stop.is_set():
            try:
                await self.delivery.handle(self.subscriber, message)
                return True
            except Exception:
                log.exception(
                    "%s: outbox row %d neither applied nor parked; trying again", self.subscriber.name, record.seq
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, 30.0)
        return False
