"""Read-side queries behind the API's GET endpoints (lists, filters, keyset pages).

Pages are keyset, not offset: a cursor is the sort key of the last row returned, so
paging stays fast and stable while new rows arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.alerts import ReorderAlert
from hub.core.catalog import Customer, Product, Supplier, Warehouse
from hub.core.ledger import StockLevel, StockMove, Valuation
from hub.core.purchasing import PurchaseOrder, Receipt
from hub.core.sales import SalesOrder, SalesReturn, Shipment
from hub.db import tables as t

__all__ = ["Page", "Queries"]

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    #: Sort key of the last item when more may follow, else None.
    next_key: Any = None


def _page(rows: list[T], limit: int, key: Any) -> Page[T]:
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, key(rows[-1]))
    return Page(rows)


class Queries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Any) -> list[Any]:
        return list(await self.session.scalars(stmt))

    # -- master data ---------------------------------------------------------------------------

    async def product(self, sku: str) -> Product | None:
        return await self.session.scalar(select(Product).where(Product.sku == sku))  # type: ignore[arg-type]

    async def products(self, *, after: str | None, limit: int, active: bool | None = None) -> Page[Product]:
        stmt = select(Product).order_by(Product.sku).limit(limit + 1)  # type: ignore[arg-type]
        if after is not None:
            stmt = stmt.where(Product.sku > after)  # type: ignore[operator]
        if active is not None:
            stmt = stmt.where(Product.active == active)  # type: ignore[arg-type]
        return _page(await self._all(stmt), limit, lambda p: p.sku)

    async def party(self, cls: type[Warehouse] | type[Supplier] | type[Customer], code: str) -> Any:
        return await self.session.scalar(select(cls).where(cls.code == code))  # type: ignore[arg-type]

    async def parties(
        self, cls: type[Warehouse] | type[Supplier] | type[Customer], *, after: str | None, limit: int
    ) -> Page[Any]:
        stmt = select(cls).order_by(cls.code).limit(limit + 1)  # type: ignore[arg-type]
        if after is not None:
            stmt = stmt.where(cls.code > after)  # type: ignore[operator]
        return _page(await self._all(stmt), limit, lambda p: p.code)

    # -- documents ------------------------------------------------------------------------------

    async def _children(self, cls: Any, order_ids: list[int]) -> dict[int, list[Any]]:
        """Receipts / shipments / returns of several orders in one query, by order id."""
        found: dict[int, list[Any]] = {id: [] for id in order_ids}
        if order_ids:
            for child in await self._all(select(cls).where(cls.order_id.in_(order_ids)).order_by(cls.id)):
                found[child.order_id].append(child)
        return found

    async def purchase_order(self, id: int) -> tuple[PurchaseOrder, list[Receipt]] | None:
        order = await self.session.get(PurchaseOrder, id)
        if order is None:
            return None
        return order, (await self._children(Receipt, [id]))[id]

    async def receipts_of(self, order_ids: list[int]) -> dict[int, list[Receipt]]:
        return await self._children(Receipt, order_ids)

    async def shipments_of(self, order_ids: list[int]) -> dict[int, list[Shipment]]:
        return await self._children(Shipment, order_ids)

    async def returns_of(self, order_ids: list[int]) -> dict[int, list[SalesReturn]]:
        return await self._children(SalesReturn, order_ids)

    async def purchase_orders(
        self, *, before: int | None, limit: int, status: str | None = None, supplier: str | None = None
    ) -> Page[PurchaseOrder]:
        stmt = select(PurchaseOrder).order_by(PurchaseOrder.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
        if before is not None:
            stmt = stmt.where(PurchaseOrder.id < before)  # type: ignore[operator]
        if status is not None:
            stmt = stmt.where(PurchaseOrder.status == status)  # type: ignore[arg-type]
        if supplier is not None:
            stmt = stmt.where(PurchaseOrder.supplier == supplier)  # type: ignore[arg-type]
        return _page(await self._all(stmt), limit, lambda o: o.id)

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
        stmt = select(SalesOrder).order_by(SalesOrder.id.desc()).limit(limit + 1)  # type: ignore[attr-defined]
        if before is not None:
            stmt = stmt.where(SalesOrder.id < before)  # type: ignore[operator]
        for column, value in (
            (SalesOrder.channel, channel),
            (SalesOrder.external_id, external_id),
            (SalesOrder.status, status),
            (SalesOrder.customer, customer),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        return _page(await self._all(stmt), limit, lambda o: o.id)

    # -- stock ------------------------------------------------------------------------------------

    async def stock_levels(
        self, *, sku: str | None, warehouse: str | None, after: tuple[str, str] | None, limit: int
    ) -> Page[StockLevel]:
        stmt = select(StockLevel).order_by(StockLevel.sku, StockLevel.warehouse).limit(limit + 1)  # type: ignore[arg-type]
        if sku is not None:
            stmt = stmt.where(StockLevel.sku == sku)  # type: ignore[arg-type]
        if warehouse is not None:
            stmt = stmt.where(StockLevel.warehouse == warehouse)  # type: ignore[arg-type]
        if after is not None:
            stmt = stmt.where(tuple_(StockLevel.sku, StockLevel.warehouse) > tuple_(*after))  # type: ignore[arg-type]
        return _page(await self._all(stmt), limit, lambda level: [level.sku, level.warehouse])

    async def stock_of(self, sku: str) -> tuple[list[StockLevel], Valuation | None]:
        levels = await self._all(
            select(StockLevel).where(StockLevel.sku == sku).order_by(StockLevel.warehouse)  # type: ignore[arg-type]
        )
        return levels, await self.session.get(Valuation, sku)

    async def moves(self, *, sku: str | None, after: int | None, limit: int) -> Page[StockMove]:
        stmt = select(StockMove).order_by(StockMove.id).limit(limit + 1)  # type: ignore[arg-type]
        if sku is not None:
            stmt = stmt.where(StockMove.sku == sku)  # type: ignore[arg-type]
        if after is not None:
            stmt = stmt.where(StockMove.id > after)  # type: ignore[operator]
        return _page(await self._all(stmt), limit, lambda m: m.id)

    async def alerts(self, *, kind: str | None, after: int | None, limit: int) -> Page[ReorderAlert]:
        stmt = (
            select(ReorderAlert)
            .where(ReorderAlert.cleared_at.is_(None))  # type: ignore[attr-defined]
            .order_by(ReorderAlert.id)  # type: ignore[arg-type]
            .limit(limit + 1)
        )
        if kind is not None:
            stmt = stmt.where(ReorderAlert.kind == kind)  # type: ignore[arg-type]
        if after is not None:
            stmt = stmt.where(ReorderAlert.id > after)  # type: ignore[operator]
        return _page(await self._all(stmt), limit, lambda a: a.id)

    # -- outbox ------------------------------------------------------------------------------------

    async def events(self, *, after: int | None, limit: int) -> Page[Any]:
        stmt = select(t.outbox).order_by(t.outbox.c.id).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(t.outbox.c.id > after)
        rows = list((await self.session.execute(stmt)).mappings())
        return _page(rows, limit, lambda row: row["id"])

    async def event_position(self, event_id: str) -> int | None:
        return await self.session.scalar(select(t.outbox.c.id).where(t.outbox.c.event_id == event_id))
