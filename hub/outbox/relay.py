"""The relay: publishes committed outbox rows, in order, at least once.

    wait for leadership (one relay per database; a standby waits here)
    loop: read the oldest unpublished rows (a batch, in commit order)
          publish them — retrying with backoff while the broker is unreachable
          mark them published
          nothing to do: sleep until a commit signals (or the poll interval passes)

One batch is in flight at a time; while it is, the batch before it is marked and the
one after it read (the rows past it), so the database's work overlaps the broker's.
Rows marked unpublished again by hand (a replay) are found when the relay next catches
up and reads from the start.

A crash between publishing and marking publishes the batch again on restart:
consumers drop those duplicates by ``event_id``. Rows are never skipped, and one
aggregate's events keep their order because they are sent in commit order, keyed by
aggregate, one batch at a time.
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
from hub.db.outbox import OutboxRecord, mark_published, unpublished
from hub.outbox.leadership import Leadership, Lease
from hub.outbox.signal import wait

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
    ) -> None:
        self.db, self.publisher = db, publisher
        self.batch_size, self.poll_interval = batch_size, poll_interval
        #: Called with the number of rows after each published batch (metrics).
        self.on_published = on_published
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
        # One batch in flight at a time, in order. Meanwhile the batch before it is marked
        # and the next one read, so the database works while the broker does.
        marking: asyncio.Task[None] | None = None
        reading: asyncio.Task[list[OutboxRecord]] | None = None
        try:
            async with self.db.outbox_signal.listen() as wake:
                records = await unpublished(self.db, self.batch_size)
                while not stop.is_set() and not lease.lost.is_set():
                    if not records:
                        # Caught up: once the last mark is in, read from the start again,
                        # which also finds rows someone marked unpublished to replay them.
                        if marking is not None:
                            await marking
                            marking = None
                        await wait(wake, self.poll_interval)
                        records = await unpublished(self.db, self.batch_size)
                        continue
                    started = time.monotonic()
                    following = unpublished(self.db, self.batch_size, after_seq=records[-1].seq)
                    reading = asyncio.create_task(following)
                    send = functools.partial(self.publisher.publish, records)
                    if not await self._retrying(stop, send, "publish"):
                        return
                    records_next, reading = await reading, None
                    if marking is not None:
                        await marking  # one mark at a time, in order
                    marking = asyncio.create_task(self._mark(records, started))
                    records = records_next
        finally:
            try:
                if reading is not None and not reading.cancelled():
                    with contextlib.suppress(Exception):  # a batch read ahead, not to be sent now
                        await reading
                if marking is not None and not marking.cancelled():
                    await marking  # it records rows the broker has acknowledged
            finally:
                await self.publisher.stop()

    async def _mark(self, records: list[OutboxRecord], started: float) -> None:
        await mark_published(self.db, records[-1].seq, from_seq=records[0].seq)
        self.published += len(records)
        if self.on_published is not None:
            self.on_published(len(records))
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
