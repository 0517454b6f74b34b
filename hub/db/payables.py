"""Read-side queries of the payables (bills, supplier payments, expenses): newest first, keyset pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.billing import Bill
from hub.core.expenses import Expense
from hub.core.supplier_payments import SupplierPayment
from hub.db import tables as t
from hub.db.queries import Page, newest_first

__all__ = ["PayablesQueries"]


class PayablesQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
        return await newest_first(
            self.session,
            Bill,
            t.bills,
            before=before,
            limit=limit,
            supplier=supplier,
            status=status,
            purchase_order_id=purchase_order,
        )

    async def supplier_payment(self, id: int) -> SupplierPayment | None:
        return await self.session.get(SupplierPayment, id)

    async def supplier_payments(
        self, *, before: int | None, limit: int, supplier: str | None = None
    ) -> Page[SupplierPayment]:
        return await newest_first(
            self.session, SupplierPayment, t.supplier_payments, before=before, limit=limit, supplier=supplier
        )

    async def expense(self, id: int) -> Expense | None:
        return await self.session.get(Expense, id)

    async def expenses(
        self, *, before: int | None, limit: int, category: str | None = None, supplier: str | None = None
    ) -> Page[Expense]:
        return await newest_first(
            self.session, Expense, t.expenses, before=before, limit=limit, category=category, supplier=supplier
        )
