"""The storefront read path: stock and catalogue reads, one connection and one go each.

A storefront read is small and hot, and through the unit of work it paid for what it
does not use (measured in-process, ``GET /v1/stock?limit=100`` on SQLite): an ORM
session with instrumented objects, and on SQLite a thread hop per statement — aiosqlite
runs each statement, ``BEGIN`` and ``ROLLBACK`` in its worker thread and wakes the event
loop for every one. Here a read is a fixed list of SQL statements run in one go:

- SQLite: on a plain ``sqlite3`` connection, on the event loop's own thread. A page of
  stock is ~0.1 ms of SQLite work from the page cache, and in WAL mode a reader never
  waits for a writer. Handing it to a thread cost more than the read: every
  ``sqlite3`` call lets go of the GIL and must win it back from the other threads
  (aiosqlite's, the reader pool's), ~0.2 ms a call under load — one thread hop per
  read measured ~1.5x the CPU per request of reading inline. So only reads that may
  be large (a channel's whole stock) or that found the database busy (they never wait
  on the loop: ``busy_timeout=0``) go to a thread. Statements of one read share one
  read transaction, so one snapshot. SQLAlchemy's pool and result machinery alone
  cost ~0.2 ms a read here, more than the query.
- PostgreSQL: on one connection of a pool in autocommit — a read is one or two
  statements and under READ COMMITTED a transaction would give each its own snapshot
  anyway, so ``BEGIN``/``ROLLBACK`` (and the transaction the pre-ping wraps itself in
  outside autocommit) would only add round trips. Statements go to asyncpg directly,
  which prepares each once per connection.

Statements are written once with ``?`` placeholders (``$n`` for asyncpg). Rows come
back as plain dataclasses or dicts, never ORM-mapped objects; where a column's type
converts values (SQLite's timestamps and amounts are text) the table's own SQLAlchemy
types do it, so values are what the unit of work would have read.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy import Dialect, Table, TypeDecorator
from sqlalchemy.engine import make_url

from hub.db import tables as t
from hub.db.connectors import InstanceRow
from hub.db.engine import Database

__all__ = ["Available", "Level", "LevelText", "Reads", "StockOf"]

Query = tuple[str, Sequence[Any]]
#: Available stock (on hand − reserved) per warehouse, sorted by warehouse.
Available = tuple[tuple[str, Decimal], ...]

#: Threads reading SQLite. sqlite3 lets go of the GIL while SQLite works, so a few
#: reads can wait on the disk at once; more would only queue for the CPU.
_SQLITE_THREADS = 4


class Level(NamedTuple):
    """A stock level as read (not the ledger's mapped ``StockLevel``: nothing to track).

    A named tuple: a page builds a hundred of them, and a frozen dataclass costs ~4x
    as much to make."""

    sku: str
    warehouse: str
    on_hand: Decimal
    reserved: Decimal
    in_transit: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class LevelText(NamedTuple):
    """A stock level with its amounts as the database's exact text (``"20.000000"``):
    for a caller that turns rows into text again, and may remember by them."""

    sku: str
    warehouse: str
    on_hand: str
    reserved: str
    in_transit: str

    def level(self) -> Level:
        return Level(self.sku, self.warehouse, _parse(self.on_hand), _parse(self.reserved), _parse(self.in_transit))


@dataclass(frozen=True, slots=True)
class StockOf:
    """One SKU's levels and valuation, or ``found=False`` when no such product exists."""

    found: bool
    levels: list[Level]
    average_cost: Decimal | None = None
    value: Decimal | None = None


#: Amounts are read as text (see _text). Stock levels repeat the same few values, and a
#: Decimal is immutable: parse each text once.
_parse = functools.lru_cache(maxsize=65_536)(Decimal)


def _decimal(value: Any) -> Decimal:
    # asyncpg gives Decimals already.
    return value if type(value) is Decimal else _parse(value)


@functools.lru_cache(maxsize=65_536)
def _available(on_hand: Any, reserved: Any) -> Decimal:
    return _decimal(on_hand) - _decimal(reserved)


def _levels(rows: Sequence[Sequence[Any]]) -> list[Level]:
    return [Level(s, w, _decimal(on), _decimal(res), _decimal(tr)) for s, w, on, res, tr in rows]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _text(*columns: str) -> str:
    # Amounts come as their text on both databases (SQLite keeps them so; PostgreSQL's
    # numeric → text is cheaper for asyncpg than numeric → Decimal), and each distinct
    # text is parsed once (_parse).
    return ", ".join(f"CAST({column} AS TEXT)" for column in columns)


_LEVELS = f"SELECT sku, warehouse, {_text('on_hand', 'reserved', 'in_transit')} FROM stock_levels"
#: The product's valuation and its levels: one row per warehouse, or one row with no
#: level when it has none; no row when there is no such product.
_STOCK_OF = (
    f"SELECT {_text('v.average_cost', 'v.value')}, s.sku, s.warehouse,"
    f" {_text('s.on_hand', 's.reserved', 's.in_transit')}"
    " FROM products p LEFT JOIN valuations v ON v.sku = p.sku LEFT JOIN stock_levels s ON s.sku = p.sku"
    " WHERE p.sku = ? ORDER BY s.warehouse"
)


@cache
def _converters(table: Table, dialect: Dialect) -> tuple[list[str], list[Callable[[Any], Any] | None]]:
    """The table's column names, and for each what turns the driver's value into the
    column type's (as SQLAlchemy would: SQLite's timestamp text → aware datetime …)."""
    names: list[str] = []
    convert: list[Callable[[Any], Any] | None] = []
    for column in table.columns:
        impl = column.type.dialect_impl(dialect)
        names.append(column.name)
        if dialect.name == "sqlite":
            convert.append(impl.result_processor(dialect, None))
        elif isinstance(impl, TypeDecorator):
            # asyncpg already gives Decimal, datetime, bool: only our decorators' own step.
            convert.append(functools.partial(impl.process_result_value, dialect=dialect))
        else:
            convert.append(None)
    return names, convert


@cache
def _dollars(sql: str) -> str:
    """``?`` placeholders as asyncpg's ``$1, $2, …``."""
    numbers = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(numbers)}", sql)


class _SqliteReaders:
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


class _PgReaders:
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


class Reads:
    """The storefront's reads; each runs on one connection in one go."""

    def __init__(self, db: Database, *, pool_size: int = 10) -> None:
        self.db = db
        self._pool_size = pool_size
        self._sqlite: _SqliteReaders | None = None
        self._pg: _PgReaders | None = None

    async def fetch(self, *queries: Query, bounded: bool = True) -> list[list[Any]]:
        """The rows of each ``(sql, params)`` (``?`` placeholders), all on one connection.
        ``bounded``: the read returns at most a page (≤ 1,000 rows or so)."""
        if self.db.is_sqlite:
            if self._sqlite is None:
                path = make_url(self.db.url).database
                assert path, "the read path needs an SQLite file"
                self._sqlite = _SqliteReaders(path)
            return await self._sqlite.fetch(queries, bounded=bounded)
        if self._pg is None:
            dsn = make_url(self.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = _PgReaders(dsn, self._pool_size)
        return await self._pg.fetch(queries)

    async def close(self) -> None:
        sqlite, self._sqlite = self._sqlite, None
        if sqlite is not None:
            await asyncio.to_thread(sqlite.close)
        pg, self._pg = self._pg, None
        if pg is not None:
            await pg.close()

    # -- the reads ------------------------------------------------------------------------------

    async def stock_page(
        self, *, sku: str | None, warehouse: str | None, after: tuple[str, str] | None, limit: int
    ) -> tuple[list[LevelText], tuple[str, str] | None]:
        """A page of stock levels by SKU then warehouse, and the key of its last row if more follow."""
        where, params = [], []
        if sku is not None:
            where.append("sku = ?")
            params.append(sku)
        if warehouse is not None:
            where.append("warehouse = ?")
            params.append(warehouse)
        if after is not None:
            where.append("(sku > ? OR (sku = ? AND warehouse > ?))")
            params += [after[0], after[0], after[1]]
        sql = _LEVELS + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY sku, warehouse LIMIT ?"
        (rows,) = await self.fetch((sql, [*params, limit + 1]))
        levels = [LevelText(*row) for row in rows[:limit]]
        return levels, ((levels[-1].sku, levels[-1].warehouse) if len(rows) > limit else None)

    async def stock_of(self, sku: str) -> StockOf:
        """One SKU's levels in every warehouse, with its valuation (one statement: one snapshot)."""
        (rows,) = await self.fetch((_STOCK_OF, [sku]))
        if not rows:
            return StockOf(False, [])
        average_cost, value = rows[0][0], rows[0][1]
        return StockOf(
            True,
            _levels([row[2:] for row in rows if row[2] is not None]),
            None if average_cost is None else _decimal(average_cost),
            None if value is None else _decimal(value),
        )

    async def product(self, sku: str) -> dict[str, Any] | None:
        """The product's columns by name (amounts Decimal, timestamps UTC), or None."""
        names, convert = _converters(t.products, self.db.engine.dialect)
        (rows,) = await self.fetch((f"SELECT {', '.join(names)} FROM products WHERE sku = ?", [sku]))
        if not rows:
            return None
        return {name: v if f is None else f(v) for name, f, v in zip(names, convert, rows[0], strict=True)}

    async def connector_instance(self, connector_id: str) -> InstanceRow | None:
        """A stored connector instance (config still encrypted), or None."""
        names, convert = _converters(t.connector_instances, self.db.engine.dialect)
        sql = f"SELECT {', '.join(names)} FROM connector_instances WHERE id = ?"
        (rows,) = await self.fetch((sql, [connector_id]))
        if not rows:
            return None
        values = {name: v if f is None else f(v) for name, f, v in zip(names, convert, rows[0], strict=True)}
        return InstanceRow(SimpleNamespace(**values))

    async def channel_available(
        self, skus: Sequence[str] | None, warehouses: Sequence[str]
    ) -> tuple[dict[str, Available], dict[str, bool]]:
        """Available stock per warehouse by SKU — of ``skus``, or of every SKU stocked in
        ``warehouses`` — and whether each of those SKUs' products is active (unknown SKUs
        are absent from both)."""
        columns = f"p.sku, p.active, s.warehouse, {_text('s.on_hand', 's.reserved')}"
        if skus is None:
            sql = (
                f"SELECT {columns} FROM stock_levels s JOIN products p ON p.sku = s.sku"
                f" WHERE s.warehouse IN ({_marks(len(warehouses))})"
            )
            keys: Sequence[str] = warehouses
        else:
            sql = (
                f"SELECT {columns} FROM products p LEFT JOIN stock_levels s ON s.sku = p.sku"
                f" WHERE p.sku IN ({_marks(len(skus))})"
            )
            keys = skus
        (rows,) = await self.fetch((sql, list(keys)), bounded=skus is not None)
        found: dict[str, list[tuple[str, Decimal]]] = {}
        active: dict[str, bool] = {}
        for sku, is_active, warehouse, on_hand, reserved in rows:
            active[sku] = bool(is_active)
            levels = found.setdefault(sku, [])
            if warehouse is not None:
                levels.append((warehouse, _available(on_hand, reserved)))
        # Sorted by warehouse: the same stock is always the same value (ChannelStock remembers by it).
        return {sku: tuple(sorted(levels)) for sku, levels in found.items()}, active
