"""Connections of the storefront read path (see :mod:`hub.db.reads`): each runs a
read — a few ``(sql, params)`` with ``?`` placeholders — whole, on one connection.

- SQLite: a plain ``sqlite3`` connection on the event loop's own thread. A page of
  stock is ~0.1 ms of SQLite work from the page cache, and in WAL mode a reader never
  waits for a writer. Handing it to a thread cost more than the read: every
  ``sqlite3`` call lets go of the GIL and must win it back from the other threads
  (aiosqlite's, a reader pool's), ~0.2 ms a call under load — a thread hop per read
  measured ~1.5x the CPU per request of reading inline. So only reads that may be
  large (a channel's whole stock) or that found the database busy (they never wait on
  the loop: ``busy_timeout=0``) go to a thread.
- PostgreSQL: asyncpg connections of the read path's own, in autocommit (see
  :class:`PgReaders`).
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import asyncpg

__all__ = ["PgReaders", "Query", "SqliteReaders"]

Query = tuple[str, Sequence[Any]]

#: Threads reading SQLite when a read may not run on the loop. sqlite3 lets go of the
#: GIL while SQLite works, so a few reads can wait on the disk at once.
_SQLITE_THREADS = 4


@cache
def _dollars(sql: str) -> str:
    """``?`` placeholders as asyncpg's ``$1, $2, …``."""
    numbers = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(numbers)}", sql)


class SqliteReaders:
    """Bounded reads run on the event loop's own thread; unbounded ones, and any that
    found the database busy, on a thread of their own."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._threads: ThreadPoolExecutor | None = None

    async def fetch(self, queries: Sequence[Query], *, bounded: bool) -> list[list[Any]]:
        if bounded:
            try:
                return self._fetch(queries, self._connection(inline=True))
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
        if self._threads is None:
            self._threads = ThreadPoolExecutor(_SQLITE_THREADS, thread_name_prefix="hub-read")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, lambda: self._fetch(queries, self._connection(inline=False)))

    @staticmethod
    def _fetch(queries: Sequence[Query], conn: sqlite3.Connection) -> list[list[Any]]:
        if len(queries) == 1:
            sql, params = queries[0]
            return [conn.execute(sql, params).fetchall()]
        conn.execute("BEGIN")  # one snapshot for all the statements
        try:
            return [conn.execute(sql, params).fetchall() for sql, params in queries]
        finally:
            conn.execute("ROLLBACK")

    def _connection(self, *, inline: bool) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # check_same_thread=False only so that close() may close it from the loop's thread.
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            # On the loop, never wait: a busy database (WAL recovery, an exclusive lock)
            # sends the read to a thread, which may wait as long as the hub's writers do.
            conn.execute(f"PRAGMA busy_timeout={0 if inline else 30000}")
            self._local.conn = conn
            self._opened.append(conn)
        return conn

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
            self._threads = None
        for conn in self._opened:
            conn.close()
        self._opened.clear()


class PgReaders:
    """A few asyncpg connections of the read path's own, in autocommit.

    Not SQLAlchemy's pool: its checkout, the pre-ping round trip it takes before every
    use (wrapped in ``BEGIN``/``ROLLBACK`` outside autocommit) and the reset on return
    cost more than a storefront read. No ping is needed: a read changes nothing, so one
    that meets a dead connection is simply run again on a new one. The connections only
    ever run ``SELECT``, so there is no session state to reset between uses either.
    """

    def __init__(self, dsn: str, size: int) -> None:
        self._dsn = dsn
        self._idle: list[asyncpg.Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def _connect(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(self._dsn)
        await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        return conn

    async def fetch(self, queries: Sequence[Query]) -> list[list[Any]]:
        async with self._slots:
            conn = self._idle.pop() if self._idle else await self._connect()
            try:
                try:
                    rows = await self._run(conn, queries)
                except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
                    conn.terminate()
                    conn = await self._connect()
                    rows = await self._run(conn, queries)
            except BaseException as error:
                # A cancelled read may leave its statement running: do not reuse the connection.
                if isinstance(error, asyncpg.PostgresError) and not conn.is_closed():
                    self._idle.append(conn)
                else:
                    conn.terminate()
                raise
            self._idle.append(conn)
            return rows

    @staticmethod
    async def _run(conn: asyncpg.Connection, queries: Sequence[Query]) -> list[list[Any]]:
        return [await conn.fetch(_dollars(sql), *params) for sql, params in queries]

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close(timeout=2)
