"""The ``local`` transport: subscribers read the outbox table itself, in-process.

Each subscriber has a dispatcher (one per database, by leadership) that reads rows after
its persisted cursor, hands them to the subscriber in commit order, and moves the
cursor on. The cursor is saved at most once a second while rows keep coming, within a
second of their stopping, and when the dispatcher stops: a write per row handled would compete with the
commits and the deliveries themselves for the database (SQLite's one writer above
all). A crash re-reads what was handled since the last save, which the inbox drops.
The relay, on this transport, only marks rows published: the table is the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from hub.db.engine import Database
from hub.db.outbox import OutboxRecord, after, cursor, save_cursor
from hub.outbox.delivery import Delivery, Message
from hub.outbox.leadership import Leadership, Lease
from hub.outbox.signal import wait
from hub.outbox.subscribers import Subscriber
from hub.outbox.trace import Trace

__all__ = ["LocalDispatcher", "LocalPublisher"]

log = logging.getLogger("hub.local")

#: Seconds a dispatcher's handled position may go unsaved while it is busy.
CURSOR_EVERY = 1.0


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
                    await self._dispatch(stop, lease, wake)

    async def _dispatch(self, stop: asyncio.Event, lease: Lease, wake: asyncio.Event) -> None:
        """Hand rows to the subscriber while leading: read, deliver, and when caught up, sleep."""
        wanted = self.subscriber.aggregates
        saved, saved_at = self.position, time.monotonic()
        caught_up = False
        while not stop.is_set() and not lease.lost.is_set():
            if caught_up:
                # A short batch was the end of the outbox: sleep rather than read again. A
                # commit since that read has set `wake` already, so none is missed; an unsaved
                # cursor shortens the sleep to when it is due.
                timeout = self.poll_interval
                if self.position != saved:
                    timeout = min(timeout, max(0.0, saved_at + CURSOR_EVERY - time.monotonic()))
                if await wait(wake, timeout):
                    if self.trace is not None:
                        self.trace("consumer.woken", ())
                elif self.position != saved:
                    await save_cursor(self.db, self.subscriber.name, self.position)
                    saved, saved_at = self.position, time.monotonic()
            records = await after(self.db, self.position, self.batch_size)
            caught_up = len(records) < self.batch_size
            if self.trace is not None and records:
                self.trace("consumer.fetched", [r.event_id for r in records])
            for record in records:
                if stop.is_set():
                    break
                if record.aggregate_type in wanted and not await self._deliver(record, stop):
                    break
                self.position = record.seq
            if self.position != saved and time.monotonic() - saved_at >= CURSOR_EVERY:
                await save_cursor(self.db, self.subscriber.name, self.position)
                saved, saved_at = self.position, time.monotonic()
        if self.position != saved and not lease.lost.is_set():  # a new leader keeps its own
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
