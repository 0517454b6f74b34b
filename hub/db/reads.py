"""The storefront read path: stock and catalogue reads, one connection and one go each.

A storefront read is small and hot, and through the unit of work it paid for what it
does not use (measured in-process, ``GET /v1/stock?limit=100`` on SQLite): an ORM
session with instrumented objects, and on SQLite a thread hop per statement — aiosqlite
runs each statement, ``BEGIN`` and ``ROLLBACK`` in its worker thread and wakes the event
loop for every one. Here a read is one or two plain SQL statements run in one go on one connection
(:mod:`hub.db.readers`): on SQLite on the event loop itself, on PostgreSQL on asyncpg
connections of the read path's own, in autocommit — under READ COMMITTED a transaction
would give each statement its own snapshot anyway, so ``BEGIN``/``ROLLBACK`` (and the
pre-ping SQLAlchemy's pool takes before every use) would only add round trips. Reads
that span tables are single statements (joins), so they see one snapshot everywhere.

Statements are written once with ``?`` placeholders (``$n`` for asyncpg). Rows come
back as plain dataclasses or dicts, never ORM-mapped objects; where a column's type
converts values (SQLite's timestamps and amounts are text) the table's own SQLAlchemy
types do it, so values are what the unit of work would have read.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Table, TypeDecorator
from sqlalchemy.engine import make_url

from hub.db import tables as t
from hub.db.connectors import InstanceRow
from hub.db.engine import Database
from hub.db.readers import PgReaders, Query, SqliteReaders

__all__ = ["Available", "Level", "LevelText", "Reads", "StockOf"]

#: Available stock (on hand − reserved) per warehouse, sorted by warehouse.
Available = tuple[tuple[str, Decimal], ...]


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


class Reads:
    """The storefront's reads; each runs on one connection in one go."""

    def __init__(self, db: Database, *, pool_size: int = 10) -> None:
        self.db = db
        self._pool_size = pool_size
        self._sqlite: SqliteReaders | None = None
        self._pg: PgReaders | None = None

    async def fetch(self, *queries: Query, bounded: bool = True) -> list[list[Any]]:
        """The rows of each ``(sql, params)`` (``?`` placeholders), all on one connection.
        ``bounded``: the read returns at most a page (≤ 1,000 rows or so)."""
        if self.db.is_sqlite:
            if self._sqlite is None:
                path = make_url(self.db.url).database
                assert path, "the read path needs an SQLite file"
                self._sqlite = SqliteReaders(path)
            return await self._sqlite.fetch(queries, bounded=bounded)
        if self._pg is None:
            dsn = make_url(self.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = PgReaders(dsn, self._pool_size)
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
