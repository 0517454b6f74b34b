"""Read-side queries behind the API's GET endpoints (lists, filters, keyset pages).

Pages are keyset, not offset: a cursor is the sort key of the last row returned, so
paging stays fast and stable while new rows arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.alerts import ReorderAlert
from hub.core.catalog import Customer, Product, Supplier, Warehouse
from hub.core.ledger import StockLevel, StockMove, Valuation
from hub.core.production import ProductionIssue, ProductionReceipt
from hub.core.purchasing import PurchaseOrder, Receipt
from hub.core.sales import SalesOrder, SalesReturn, Shipment
from hub.db import tables as t
from hub.db.repositories import column

__all__ = ["Page", "Queries", "keyset_page", "newest_first"]

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    #: Sort key of the last item when more may follow, else None.
    next_key: Any = None


def keyset_page(rows: list[T], limit: int, key: Any) -> Page[T]:
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, key(rows[-1]))
    return Page(rows)


async def newest_first(
    session: AsyncSession, cls: type, table: Any, *, before: int | None, limit: int, **filters: Any
) -> Page[Any]:
    """Documents of ``cls`` newest first, ids below ``before``, matching every filter not None."""
    stmt: Select[Any] = select(cls).order_by(table.c.id.desc()).limit(limit + 1)
    if before is not None:
        stmt = stmt.where(table.c.id < before)
    for name, value in filters.items():
        if value is not None:
            stmt = stmt.where(table.c[name] == value)
    return keyset_page(list(await session.scalars(stmt)), limit, lambda row: row.id)


class Queries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Any) -> list[Any]:
        return list(await self.session.scalars(stmt))

    # -- master data ---------------------------------------------------------------------------

    async def product(self, sku: str) -> Product | None:
        return await self.session.scalar(select(Product).where(t.products.c.sku == sku))

    async def products(self, *, after: str | None, limit: int, active: bool | None = None) -> Page[Product]:
        stmt = select(Product).order_by(t.products.c.sku).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(t.products.c.sku > after)
        if active is not None:
            stmt = stmt.where(t.products.c.active == active)
        return keyset_page(await self._all(stmt), limit, lambda p: p.sku)

    async def party(self, cls: type[Warehouse | Supplier | Customer], code: str) -> Any:
        return await self.session.scalar(select(cls).where(column(cls, "code") == code))

    async def parties(self, cls: type[Warehouse | Supplier | Customer], *, after: str | None, limit: int) -> Page[Any]:
        code = column(cls, "code")
        stmt = select(cls).order_by(code).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(code > after)
        return keyset_page(await self._all(stmt), limit, lambda p: p.code)

    # -- documents ------------------------------------------------------------------------------

    async def _children(self, cls: Any, order_ids: Sequence[int | None]) -> dict[int | None, list[Any]]:
        """Receipts / shipments / returns of several orders in one query, by order id."""
        found: dict[int | None, list[Any]] = {id: [] for id in order_ids}
        wanted = [id for id in order_ids if id is not None]
        if wanted:
            stmt = select(cls).where(column(cls, "order_id").in_(wanted)).order_by(column(cls, "id"))
            for child in await self._all(stmt):
                found[child.order_id].append(child)
        return found

    async def purchase_order(self, id: int) -> tuple[PurchaseOrder, list[Receipt]] | None:
        order = await self.session.get(PurchaseOrder, id)
        if order is None:
            return None
        return order, (await self._children(Receipt, [id]))[id]

    async def receipts_of(self, order_ids: Sequence[int | None]) -> dict[int | None, list[Receipt]]:
        return await self._children(Receipt, order_ids)

    async def shipments_of(self, order_ids: Sequence[int | None]) -> dict[int | None, list[Shipment]]:
        return await self._children(Shipment, order_ids)

    async def returns_of(self, order_ids: Sequence[int | None]) -> dict[int | None, list[SalesReturn]]:
        return await self._children(SalesReturn, order_ids)

    async def purchase_orders(
        self, *, before: int | None, limit: int, status: str | None = None, supplier: str | None = None
    ) -> Page[PurchaseOrder]:
        stmt = select(PurchaseOrder).order_by(t.purchase_orders.c.id.desc()).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(t.purchase_orders.c.id < before)
        if status is not None:
            stmt = stmt.where(t.purchase_orders.c.status == status)
        if supplier is not None:
            stmt = stmt.where(t.purchase_orders.c.supplier == supplier)
        return keyset_page(await self._all(stmt), limit, lambda o: o.id)

    async def sales_order(self, id: int) -> tuple[SalesOrder, list[Shipment], list[SalesReturn]] | None:
        order = await self.session.get(SalesOrder, id)
        if order is None:
            return None
        return order, (await self._children(Shipment, [id]))[id], (await self._children(SalesReturn, [id]))[id]

    async def sales_orders(
        self,
        *,
        before: int | None,
        limit: int,
        channel: str | None = None,
        external_id: str | None = None,
        status: str | None = None,
        customer: str | None = None,
    ) -> Page[SalesOrder]:
        stmt = select(SalesOrder).order_by(t.sales_orders.c.id.desc()).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(t.sales_orders.c.id < before)
        for col, value in (
            (t.sales_orders.c.channel, channel),
            (t.sales_orders.c.external_id, external_id),
            (t.sales_orders.c.status, status),
            (t.sales_orders.c.customer, customer),
        ):
            if value is not None:
                stmt = stmt.where(col == value)
        return keyset_page(await self._all(stmt), limit, lambda o: o.id)

    async def production(
        self, cls: type[ProductionIssue | ProductionReceipt], *, before: int | None, limit: int, warehouse: str | None
    ) -> Page[Any]:
        """Production issues or receipts, newest first."""
        id_, where = column(cls, "id"), column(cls, "warehouse")
        stmt = select(cls).order_by(id_.desc()).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(id_ < before)
        if warehouse is not None:
            stmt = stmt.where(where == warehouse)
        return keyset_page(await self._all(stmt), limit, lambda d: d.id)

    # -- stock ------------------------------------------------------------------------------------

    async def stock_levels(
        self, *, sku: str | None, warehouse: str | None, after: tuple[str, str] | None, limit: int
    ) -> Page[StockLevel]:
        stmt = select(StockLevel).order_by(t.stock_levels.c.sku, t.stock_levels.c.warehouse).limit(limit + 1)
        if sku is not None:
            stmt = stmt.where(t.stock_levels.c.sku == sku)
        if warehouse is not None:
            stmt = stmt.where(t.stock_levels.c.warehouse == warehouse)
        if after is not None:
            stmt = stmt.where(tuple_(t.stock_levels.c.sku, t.stock_levels.c.warehouse) > tuple_(*after))
        return keyset_page(await self._all(stmt), limit, lambda level: [level.sku, level.warehouse])

    async def stock_of(self, sku: str) -> tuple[list[StockLevel], Valuation | None]:
        levels = await self._all(
            select(StockLevel).where(t.stock_levels.c.sku == sku).order_by(t.stock_levels.c.warehouse)
        )
        return levels, await self.session.get(Valuation, sku)

    async def moves(self, *, sku: str | None, after: int | None, limit: int) -> Page[StockMove]:
        stmt = select(StockMove).order_by(t.stock_moves.c.id).limit(limit + 1)
        if sku is not None:
            stmt = stmt.where(t.stock_moves.c.sku == sku)
        if after is not None:
            stmt = stmt.where(t.stock_moves.c.id > after)
        return keyset_page(await self._all(stmt), limit, lambda m: m.id)

    async def alerts(self, *, kind: str | None, after: int | None, limit: int) -> Page[ReorderAlert]:
        stmt = (
            select(ReorderAlert)
            .where(t.reorder_alerts.c.cleared_at.is_(None))
            .order_by(t.reorder_alerts.c.id)
            .limit(limit + 1)
        )
        if kind is not None:
            stmt = stmt.where(t.reorder_alerts.c.kind == kind)
        if after is not None:
            stmt = stmt.where(t.reorder_alerts.c.id > after)
        return keyset_page(await self._all(stmt), limit, lambda a: a.id)

    # -- outbox ------------------------------------------------------------------------------------

    async def events(self, *, after: int | None, limit: int) -> Page[Any]:
        stmt = select(t.outbox).order_by(t.outbox.c.id).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(t.outbox.c.id > after)
        rows = list((await self.session.execute(stmt)).mappings())
        return keyset_page(rows, limit, lambda row: row["id"])

    async def event_position(self, event_id: str) -> int | None:
        return await self.session.scalar(select(t.outbox.c.id).where(t.outbox.c.event_id == event_id))
