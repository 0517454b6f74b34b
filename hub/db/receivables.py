"""Read-side queries of receivables (invoices, credit notes, payments): get by id, newest-first keyset pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.crediting import CreditNote
from hub.core.invoicing import Invoice
from hub.core.payments import Payment
from hub.db import tables as t
from hub.db.queries import Page

__all__ = ["ReceivableQueries"]


class ReceivableQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _page(self, cls: type, table: Any, before: int | None, limit: int, **filters: Any) -> Page[Any]:
        stmt: Select[Any] = select(cls).order_by(table.c.id.desc()).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(table.c.id < before)
        for name, value in filters.items():
            if value is not None:
                stmt = stmt.where(table.c[name] == value)
        rows = list(await self.session.scalars(stmt))
        if len(rows) > limit:
            rows = rows[:limit]
            return Page(rows, rows[-1].id)
        return Page(rows)

    async def invoice(self, id: int) -> Invoice | None:
        return await self.session.get(Invoice, id)

    async def invoices(
        self,
        *,
        before: int | None,
        limit: int,
        customer: str | None = None,
        status: str | None = None,
        sales_order: int | None = None,
    ) -> Page[Invoice]:
        return await self._page(
            Invoice, t.invoices, before, limit, customer=customer, status=status, sales_order_id=sales_order
        )

    async def credit_note(self, id: int) -> CreditNote | None:
        return await self.session.get(CreditNote, id)

    async def credit_notes(
        self, *, before: int | None, limit: int, customer: str | None = None, invoice: int | None = None
    ) -> Page[CreditNote]:
        return await self._page(CreditNote, t.credit_notes, before, limit, customer=customer, invoice_id=invoice)

    async def payment(self, id: int) -> Payment | None:
        return await self.session.get(Payment, id)

    async def payments(self, *, before: int | None, limit: int, customer: str | None = None) -> Page[Payment]:
        return await self._page(Payment, t.payments, before, limit, customer=customer)
