"""Waking the relay and local dispatchers as soon as outbox rows commit.

In the process that commits, the unit of work calls :meth:`OutboxSignal.notify`. Across
processes on PostgreSQL the commit also sends ``NOTIFY hub_outbox`` and
:class:`PgListener` relays it into the local signal. Waiters still poll on a timeout,
so a lost notification delays delivery by at most one poll interval, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

__all__ = ["CHANNEL", "OutboxSignal", "PgListener"]

log = logging.getLogger("hub.outbox")

#: PostgreSQL notification channel for committed outbox rows.
CHANNEL = "hub_outbox"


class OutboxSignal:
    """A broadcast "new rows" flag: every waiter has its own event."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Event] = set()

    def notify(self) -> None:
        for event in list(self._waiters):
            # Waiters may live on other event loops (tests, threads): set thread-safely.
            loop = getattr(event, "_hub_loop", None)
            if loop is None or loop.is_closed():
                continue
            loop.call_soon_threadsafe(event.set)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Event]:
        """An event set on every notify while the context is open; clear it after waking."""
        event = asyncio.Event()
        event._hub_loop = asyncio.get_running_loop()  # type: ignore[attr-defined]
        self._waiters.add(event)
        try:
            yield event
        finally:
            self._waiters.discard(event)


async def wait(event: asyncio.Event, timeout: float) -> bool:
    """Wait for ``event`` up to ``timeout`` seconds; clear it; say whether it fired."""
    try:
        await asyncio.wait_for(event.wait(), timeout)
    except TimeoutError:
        return False
    event.clear()
    return True


class PgListener:
    """``LISTEN hub_outbox`` on a connection of its own, forwarding to an :class:`OutboxSignal`."""

    def __init__(self, dsn: str, signal: OutboxSignal) -> None:
        self.dsn, self.signal = dsn, signal

    async def run(self, stop: asyncio.Event) -> None:
        import asyncpg

        while not stop.is_set():
            try:
                conn = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("outbox listener cannot connect (%s); retrying", error)
                await _sleep_unless(stop, 2.0)
                continue
            try:
                await conn.add_listener(CHANNEL, lambda *_: self.signal.notify())
                # Rows committed while we were away are found by the next poll anyway.
                self.signal.notify()
                while not stop.is_set() and not conn.is_closed():
                    await _sleep_unless(stop, 5.0)
                    if not stop.is_set():
                        await conn.execute("SELECT 1")
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("outbox listener lost its connection (%s); reconnecting", error)
            finally:
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
