"""Seeing API key revocations at once, without a database round trip per request.

The key store caches the keys it has authenticated (by hash). A cached key may be
trusted only while nothing can have been revoked since it was read, in this process or
any other (``hub keys revoke`` is a separate process; ``hub serve`` may run several).
A watch answers that with an *epoch*: a value that changes whenever a key may have been
revoked, or None when the watch cannot tell — then nothing is trusted from the cache.

- SQLite: ``PRAGMA data_version`` on a connection of the watch's own changes as soon as
  any other connection (any process) has committed: ~3 µs, in-process, no I/O beyond the
  WAL index in shared memory, so it runs on the event loop without a thread hop. Only
  when it moved is the set of live keys read again (one small table), and the epoch
  changes only if that set did: an order committed elsewhere does not empty the cache.
- PostgreSQL: ``LISTEN hub_keys`` on a connection of its own; a revocation commits
  ``NOTIFY hub_keys`` in its transaction, which PostgreSQL delivers when it commits.
  The epoch counts notifications, and is None until the listener is listening and from
  the moment its connection is lost until it listens again. What remains is the time
  the notification takes to reach this process after the revoking commit (well under
  a millisecond on one network), not a cache lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Hashable
from typing import Any, Protocol

__all__ = ["KEYS_CHANNEL", "NoWatch", "PgKeyWatch", "RevocationWatch", "SqliteKeyWatch"]

log = logging.getLogger("hub.keys")

#: PostgreSQL notification channel: a key was revoked (payload: its id).
KEYS_CHANNEL = "hub_keys"


class RevocationWatch(Protocol):
    def epoch(self) -> Hashable | None:
        """Changes whenever a key may have been revoked; None: cannot tell, trust no cache."""

    async def close(self) -> None: ...


class NoWatch:
    """For a database no other connection can see (in-memory SQLite): never vouches."""

    def epoch(self) -> Hashable | None:
        return None

    async def close(self) -> None:
        return None


_LIVE_KEYS = (
    "SELECT group_concat(key_hash, ',') FROM (SELECT key_hash FROM api_keys WHERE revoked_at IS NULL ORDER BY id)"
)


class SqliteKeyWatch:
    """The epoch is the set of live keys, re-read only when another connection committed."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._live: str | None = None

    def epoch(self) -> Hashable | None:
        try:
            conn = self._connection()
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._live = conn.execute(_LIVE_KEYS).fetchone()[0] or ""
                self._version = version
        except sqlite3.Error as error:
            # Busy (a checkpoint or recovery under way) or the file is gone: do not vouch.
            log.debug("key watch cannot read %s: %s", self._path, error)
            self._version = None
            return None
        return self._live

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # busy_timeout 0: this runs on the event loop, so it must never wait; a busy
            # database just means "cannot vouch" for this one request.
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=0")
            self._conn = conn
        return self._conn

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PgKeyWatch:
    """``LISTEN hub_keys``; started on first use from the event loop that serves requests."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._notifications = 0
        self._listening = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def epoch(self) -> Hashable | None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            # First use, or the loop it ran on is gone (tests run one loop per test).
            self._listening = False
            self._loop, self._stop = loop, asyncio.Event()
            self._task = loop.create_task(self._run(), name="hub-key-watch")
        return self._notifications if self._listening else None

    def _revoked(self, *_: Any) -> None:
        self._notifications += 1

    def _lost(self, *_: Any) -> None:
        self._listening = False

    async def _run(self) -> None:
        import asyncpg

        while not self._stop.is_set():
            try:
                conn = await asyncpg.connect(self._dsn)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("key watch cannot connect (%s); keys are checked in the database meanwhile", error)
                await _sleep_unless(self._stop, 2.0)
                continue
            try:
                conn.add_termination_listener(self._lost)
                await conn.add_listener(KEYS_CHANNEL, self._revoked)
                # Revocations may have happened while not listening: start a new epoch.
                self._notifications += 1
                self._listening = True
                while not self._stop.is_set() and not conn.is_closed():
                    await _sleep_unless(self._stop, 5.0)
                    if not self._stop.is_set():
                        await conn.execute("SELECT 1")
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("key watch lost its connection (%s); reconnecting", error)
            finally:
                self._listening = False
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)

    async def close(self) -> None:
        self._listening = False
        self._stop.set()
        task, self._task = self._task, None
        if task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
