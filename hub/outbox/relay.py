"""The relay: publishes committed outbox rows, in order, at least once.

    wait for leadership (one relay per database; a standby waits here)
    loop: drain — read the oldest unpublished rows (a batch, in commit order)
                  publish them — retrying with backoff while the broker is unreachable
                  mark them published
                  … until a read finds fewer than a batch
          sleep until a commit signals (or the poll interval passes)

One batch is in flight at a time; while it is, the batch before it is marked and the
one after it read (the rows past it), so the database's work overlaps the broker's —
and the producer's own: both statements are on their way before the batch's sends
take the event loop (see :class:`hub.db.outbox.OutboxLink`). Each drain starts from
the first unpublished row, so rows marked unpublished again by hand (a replay) are
found by the next one.

A crash between publishing and marking publishes the batch again on restart:
consumers drop those duplicates by ``event_id``. Rows are never skipped, and one
aggregate's events keep their order because they are sent in commit order, keyed by
aggregate, one batch at a time. At most two batches are ever published and unmarked.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential, wait_random

from hub.db.engine import Database
from hub.db.outbox import OutboxLink, OutboxRecord, outbox_link
from hub.outbox.leadership import Leadership, Lease
from hub.outbox.signal import wait
from hub.outbox.trace import Trace

__all__ = ["PublishError", "Publisher", "Relay"]

log = logging.getLogger("hub.relay")


class PublishError(Exception):
    """The broker did not take the batch; the relay will try again."""


class Publisher(Protocol):
    """Where the relay sends rows: Kafka, or nowhere (the local transport reads the outbox)."""

    async def start(self) -> None: ...

    async def publish(self, records: list[OutboxRecord]) -> None:
        """Return once every record is acknowledged; raise :class:`PublishError` otherwise."""
        ...

    async def stop(self) -> None: ...


class Relay:
    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        *,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        on_published: Callable[[int], None] | None = None,
        trace: Trace | None = None,
    ) -> None:
        self.db, self.publisher = db, publisher
        self.batch_size, self.poll_interval = batch_size, poll_interval
        #: Called with the number of rows after each published batch (metrics).
        self.on_published = on_published
        #: The last outbox position published (acknowledged by the broker).
        self._sent = 0
        #: Told when rows are read, acknowledged and marked (the bench's stage timings).
        self.trace = trace
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        leadership = Leadership(self.db.url, "relay", poll=self.poll_interval)
        while not stop.is_set():
            async with leadership.hold(stop) as lease:
                if lease is None:
                    return
                await self._lead(stop, lease)

    async def _lead(self, stop: asyncio.Event, lease: Lease) -> None:
        await self._retrying(stop, self.publisher.start, "connect")
        try:
            async with self.db.outbox_signal.listen() as wake:
                while not stop.is_set() and not lease.lost.is_set():
                    async with outbox_link(self.db) as outbox:
                        if not await self._busy(outbox, wake, stop, lease):
                            return
                    await wait(wake, self.poll_interval)
                    if self.trace is not None:
                        self.trace("relay.woken", ())
        finally:
            await self.publisher.stop()

    async def _busy(self, outbox: OutboxLink, wake: asyncio.Event, stop: asyncio.Event, lease: Lease) -> bool:
        """Drain; while the last batch's mark lands, drain again for any commit meanwhile.

        The mark is the database's work, not the broker's: a commit that comes while it
        runs is read and sent at once (past the rows just sent) rather than after it.
        True once caught up and marked; False if stopped.
        """
        marking: asyncio.Task[None] | None = None
        try:
            while True:
                drained, marking = await self._drain(outbox, stop, lease, marking)
                if not drained:
                    return False
                if marking is None or marking.done():
                    return True
                woken = asyncio.ensure_future(wake.wait())
                try:
                    await asyncio.wait({marking, woken}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    woken.cancel()
                if not wake.is_set():
                    return True  # marked, and nothing new: the caller sleeps
                wake.clear()
                if self.trace is not None:
                    self.trace("relay.woken", ())
        except asyncio.CancelledError:
            if marking is not None:
                marking.cancel()  # as it would be were it awaited here (see the relay tests)
            raise
        finally:
            if marking is not None and not marking.cancelled():
                await marking  # it records rows the broker has acknowledged

    async def _drain(
        self, outbox: OutboxLink, stop: asyncio.Event, lease: Lease, marking: asyncio.Task[None] | None
    ) -> tuple[bool, asyncio.Task[None] | None]:
        """Publish and mark until a read finds less than a batch, or until stopped.

        Returns whether it drained, and the last batch's mark, maybe still running. With
        ``marking`` (the drain before's, still running) it reads past the rows that drain
        sent; otherwise from the first unpublished row.
        """
        reading: asyncio.Task[list[OutboxRecord]] | None = None
        try:
            records = await outbox.unpublished(self.batch_size, after_seq=self._sent if marking else 0)
            while records:
                if stop.is_set() or lease.lost.is_set():
                    return False, marking
                if self.trace is not None:
                    self.trace("relay.read", [r.event_id for r in records])
                started = time.monotonic()
                # A short batch was the end of the outbox: reading on would find nothing
                # (a row committed since wakes the relay again, through the signal).
                if len(records) == self.batch_size:
                    reading = asyncio.create_task(outbox.unpublished(self.batch_size, after_seq=records[-1].seq))
                # Let the read, and the mark of the batch before, reach the database before
                # the sends below hold the event loop for as long as they take to queue.
                await asyncio.sleep(0)
                send = functools.partial(self.publisher.publish, records)
                if not await self._retrying(stop, send, "publish"):
                    return False, marking
                self._sent = records[-1].seq
                if self.trace is not None:
                    self.trace("relay.acked", [r.event_id for r in records])
                records_next: list[OutboxRecord] = []
                if reading is not None:
                    records_next, reading = await reading, None
                if marking is not None:
                    await marking  # one mark at a time, in order
                marking = asyncio.create_task(self._mark(outbox, records, started))
                records = records_next
            return True, marking
        except BaseException:
            if marking is not None and not marking.cancelled():
                await marking  # it records rows the broker has acknowledged
            raise
        finally:
            if reading is not None and not reading.cancelled():
                with contextlib.suppress(Exception):  # a batch read ahead, not to be sent now
                    await reading

    async def _mark(self, outbox: OutboxLink, records: list[OutboxRecord], started: float) -> None:
        await outbox.mark_published(records[-1].seq, from_seq=records[0].seq)
        self.published += len(records)
        if self.on_published is not None:
            self.on_published(len(records))
        if self.trace is not None:
            self.trace("relay.marked", [r.event_id for r in records])
        log.debug("published %d events in %.3fs", len(records), time.monotonic() - started)

    async def _retrying(self, stop: asyncio.Event, action: Callable[[], Awaitable[None]], what: str) -> bool:
        """Run ``action`` until it succeeds (True) or ``stop`` is set (False)."""

        def complain(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("relay cannot %s (attempt %d): %s; outbox rows wait", what, state.attempt_number, error)

        async for attempt in AsyncRetrying(
            # Exponential plus jitter spelled out: tenacity 9.2 deprecates
            # wait_exponential_jitter(initial=…), and its replacement is not in 8.x.
            wait=wait_exponential(multiplier=0.2, max=5.0) + wait_random(0, 0.5),
            retry=retry_if_exception_type((PublishError, OSError)),
            before_sleep=complain,
        ):
            if stop.is_set():
                return False
            with attempt:
                await action()
        return True
