"""The relay: publishes committed outbox rows, in order, at least once.

    wait for leadership (one relay per database; a standby waits here)
    loop: read the oldest unpublished rows (a batch, in commit order)
          publish them — retrying with backoff while the broker is unreachable
          mark them published
          nothing to do: sleep until a commit signals (or the poll interval passes)

A crash between publishing and marking publishes the batch again on restart:
consumers drop those duplicates by ``event_id``. Rows are never skipped, and one
aggregate's events keep their order because they are sent in commit order, keyed by
aggregate, one batch at a time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential_jitter

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
        try:
            async with self.db.outbox_signal.listen() as wake:
                while not stop.is_set() and not lease.lost.is_set():
                    records = await unpublished(self.db, self.batch_size)
                    if not records:
                        await wait(wake, self.poll_interval)
                        continue
                    started = time.monotonic()
                    send = functools.partial(self.publisher.publish, records)
                    if not await self._retrying(stop, send, "publish"):
                        return
                    await mark_published(self.db, records[-1].seq)
                    self.published += len(records)
                    if self.on_published is not None:
                        self.on_published(len(records))
                    log.debug("published %d events in %.3fs", len(records), time.monotonic() - started)
        finally:
            await self.publisher.stop()

    async def _retrying(self, stop: asyncio.Event, action: Callable[[], Awaitable[None]], what: str) -> bool:
        """Run ``action`` until it succeeds (True) or ``stop`` is set (False)."""

        def complain(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("relay cannot %s (attempt %d): %s; outbox rows wait", what, state.attempt_number, error)

        async for attempt in AsyncRetrying(
            wait=wait_exponential_jitter(initial=0.2, max=5.0, jitter=0.5),
            retry=retry_if_exception_type((PublishError, OSError)),
            before_sleep=complain,
        ):
            if stop.is_set():
                return False
            with attempt:
                await action()
        return True
