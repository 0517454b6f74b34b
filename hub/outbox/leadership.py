"""One active instance per database: of the relay, and of each local dispatcher.

PostgreSQL: a session advisory lock held on a connection of its own; the server frees
it when that connection dies, so a standby takes over within a poll interval of the
leader's death. SQLite: an exclusive ``flock`` on a file beside the database, freed by
the kernel when the holding process dies. Either way a standby polls until it wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

__all__ = ["Leadership", "Lease"]

log = logging.getLogger("hub.outbox")


@dataclass
class Lease:
    """Held leadership. ``lost`` is set if it slips away (the lock connection died)."""

    name: str
    lost: asyncio.Event = field(default_factory=asyncio.Event)


def _key(name: str) -> int:
    # A stable signed 64-bit advisory lock key per role name.
    return int.from_bytes(hashlib.blake2b(f"jxc-hub:{name}".encode(), digest_size=8).digest(), "big", signed=True)


class Leadership:
    def __init__(self, database_url: str, name: str, *, poll: float = 1.0) -> None:
        self.url, self.name, self.poll = make_url(database_url), name, poll

    @contextlib.asynccontextmanager
    async def hold(self, stop: asyncio.Event) -> AsyncIterator[Lease | None]:
        """Wait until leader (yields the lease) or until ``stop`` (yields None)."""
        if self.url.get_backend_name() == "postgresql":
            async with self._postgres(stop) as lease:
                yield lease
        else:
            async with self._file(stop) as lease:
                yield lease

    @contextlib.asynccontextmanager
    async def _postgres(self, stop: asyncio.Event) -> AsyncIterator[Lease | None]:
        conn = await self._acquire(stop)
        if conn is None:
            yield None
            return
        lease = Lease(self.name)
        log.info("%s: leading", self.name)
        watch = asyncio.create_task(_watch(conn, lease, self.poll))
        try:
            yield lease
        finally:
            watch.cancel()
            with contextlib.suppress(BaseException):
                await watch
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)  # frees the lock

    async def _acquire(self, stop: asyncio.Event) -> Any:
        """A connection holding the advisory lock, or None once ``stop`` is set."""
        import asyncpg

        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        key, waited = _key(self.name), False
        while not stop.is_set():
            try:
                conn = await asyncpg.connect(dsn)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("%s: cannot reach PostgreSQL for leadership (%s)", self.name, error)
                await _pause(stop, self.poll)
                continue
            try:
                while not stop.is_set():
                    if await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                        return conn
                    if not waited:
                        log.info("%s: another instance leads; standing by", self.name)
                        waited = True
                    await _pause(stop, self.poll)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("%s: leadership connection failed (%s)", self.name, error)
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)
            await _pause(stop, self.poll)
        return None

    @contextlib.asynccontextmanager
    async def _file(self, stop: asyncio.Event) -> AsyncIterator[Lease | None]:
        database = self.url.database
        if not database or database == ":memory:":
            yield Lease(self.name)  # a private database has no other instance to exclude
            return
        path = Path(f"{database}.{self.name}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            waited = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if stop.is_set():
                        yield None
                        return
                    if not waited:
                        log.info("%s: another process leads; standing by", self.name)
                        waited = True
                    await _pause(stop, self.poll)
            log.info("%s: leading", self.name)
            yield Lease(self.name)
        finally:
            os.close(fd)  # closing the descriptor releases the flock


async def _watch(conn: object, lease: Lease, every: float) -> None:
    """Mark the lease lost as soon as its connection stops answering."""
    try:
        while True:
            await asyncio.sleep(max(every, 1.0))
            await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=5)  # type: ignore[attr-defined]
    except asyncio.CancelledError:
        raise
    except Exception as error:  # any failure of the lock connection means the lock may be gone
        log.warning("%s: lost leadership (%s)", lease.name, error)
        lease.lost.set()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
