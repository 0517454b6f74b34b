"""Engines for the two supported databases, tuned for how the hub writes.

SQLite (embedded default): WAL so readers never wait for the writer; a write unit of
work starts with ``BEGIN IMMEDIATE`` so it holds the write lock from its first read —
two writers can then never both read a stock level and both reserve the last unit,
and never deadlock upgrading a read lock. Inside one process writers also queue on an
asyncio lock instead of spinning on SQLite's busy timeout.

PostgreSQL (production): asyncpg, READ COMMITTED; handlers lock the rows they change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from hub.outbox.signal import OutboxSignal

__all__ = ["Database", "open_database"]


@dataclass
class Database:
    """An engine plus what the unit of work needs to know about it."""

    engine: AsyncEngine
    #: Engine whose transactions are writes (``BEGIN IMMEDIATE`` on SQLite).
    write_engine: AsyncEngine
    dialect: str
    #: Serialises writers within this process (SQLite only).
    write_lock: asyncio.Lock | None = field(default=None)
    #: Set by every commit that wrote outbox rows (wakes the relay and dispatchers).
    outbox_signal: OutboxSignal = field(default_factory=OutboxSignal)
    #: Set by every commit that queued connector work (wakes the instance workers).
    work_signal: OutboxSignal = field(default_factory=OutboxSignal)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction outside a unit of work, queued like one."""
        async with contextlib.AsyncExitStack() as stack:
            if self.write_lock is not None:
                await stack.enter_async_context(self.write_lock)
            yield await stack.enter_async_context(self.write_engine.begin())

    async def dispose(self) -> None:
        await self.engine.dispose()


def open_database(url: str, *, echo: bool = False, pool_size: int = 10) -> Database:
    dialect = make_url(url).get_backend_name()
    if dialect == "sqlite":
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _tune_sqlite(engine)
        return Database(engine, engine.execution_options(hub_write=True), dialect, asyncio.Lock())
    if dialect == "postgresql":
        engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        return Database(engine, engine, dialect)
    raise ValueError(f"unsupported database {url!r}: use sqlite+aiosqlite:// or postgresql+asyncpg://")


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # Take transaction control from the driver so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("hub_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
