"""Shared rate-limit budgets in the database (the port is hub.connectors.sdk.budgets).

One row per (instance, budget) counts the units used in its current window. A take is
one conditional ``UPDATE … SET used = used + n WHERE used + n <= limit``, so it is
race-free without a lock: PostgreSQL re-checks the ``WHERE`` against the row a
concurrent writer just committed (READ COMMITTED waits for it, then re-evaluates), and
SQLite runs writers one at a time. A window older than the caller's starts again from
zero within the same statement; a window *newer* than the caller's (its clock is
behind another process's) is counted into, never reset, so clock skew cannot hand out
a window twice.

Each take commits on its own, outside any unit of work: a call sent is spent even if
the work that sent it rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.db import tables as t
from hub.db.engine import Database

__all__ = ["SqlBudgets"]

_c = t.connector_budgets.c


class SqlBudgets:
    """:class:`~hub.connectors.sdk.budgets.BudgetStore` on the hub's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def take(self, connector_id: str, budget: str, window_start: int, limit: int, units: int) -> bool:
        if units > limit:
            return False
        async with self.db.writing() as conn:
            if await self._count(conn, connector_id, budget, window_start, limit, units):
                return True
            # No row yet: the first take of this budget. If another process inserts it
            # first, count against its row instead.
            insert: Any = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
            added = await conn.execute(
                insert(t.connector_budgets)
                .values(connector_id=connector_id, budget=budget, window_start=window_start, used=units)
                .on_conflict_do_nothing()
            )
            if added.rowcount == 1:
                return True
            return await self._count(conn, connector_id, budget, window_start, limit, units)

    @staticmethod
    async def _count(
        conn: AsyncConnection, connector_id: str, budget: str, window_start: int, limit: int, units: int
    ) -> bool:
        current = _c.window_start >= window_start
        used = case((current, _c.used + units), else_=units)
        counted = await conn.execute(
            update(t.connector_budgets)
            .where(_c.connector_id == connector_id, _c.budget == budget, used <= limit)
            .values(used=used, window_start=case((current, _c.window_start), else_=window_start))
        )
        return counted.rowcount == 1
