"""Read-side queries of the payables (bills, supplier payments, expenses): newest first, keyset pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.billing import Bill
from hub.core.expenses import Expense
from hub.core.supplier_payments import SupplierPayment
from hub.db import tables as t
from hub.db.queries import Page, keyset_page

__all__ = ["PayablesQueries"]


class PayablesQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _newest(self, cls: type, table: Any, before: int | None, limit: int, **filters: Any) -> Page[Any]:
        stmt: Select[Any] = select(cls).order_by(table.c.id.desc()).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(table.c.id < before)
        for name, value in filters.items():
            if value is not None:
                stmt = stmt.where(table.c[name] == value)
        return keyset_page(list(await self.session.scalars(stmt)), limit, lambda row: row.id)

    async def bill(self, id: int) -> Bill | None:
        return await self.session.get(Bill, id)

    async def bills(
        self,
        *,
        before: int | None,
        limit: int,
        supplier: str | None = None,
        status: str | None = None,
        purchase_order: int | None = None,
    ) -> Page[Bill]:
        return await self._newest(
            Bill, t.bills, before, limit, supplier=supplier, status=status, purchase_order_id=purchase_order
        )

    async def supplier_payment(self, id: int) -> SupplierPayment | None:
        return await self.session.get(SupplierPayment, id)

    async def supplier_payments(
        self, *, before: int | None, limit: int, supplier: str | None = None
    ) -> Page[SupplierPayment]:
        return await self._newest(SupplierPayment, t.supplier_payments, before, limit, supplier=supplier)

    async def expense(self, id: int) -> Expense | None:
        return await self.session.get(Expense, id)

    async def expenses(
        self, *, before: int | None, limit: int, category: str | None = None, supplier: str | None = None
    ) -> Page[Expense]:
        return await self._newest(Expense, t.expenses, before, limit, category=category, supplier=supplier)
