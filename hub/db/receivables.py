"""Read-side queries of receivables (invoices, credit notes, payments): get by id, newest-first keyset pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.crediting import CreditNote
from hub.core.invoicing import Invoice
from hub.core.payments import Payment
from hub.db import tables as t
from hub.db.queries import Page, newest_first

__all__ = ["ReceivableQueries"]


class ReceivableQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
        return await newest_first(
            self.session,
            Invoice,
            t.invoices,
            before=before,
            limit=limit,
            customer=customer,
            status=status,
            sales_order_id=sales_order,
        )

    async def credit_note(self, id: int) -> CreditNote | None:
        return await self.session.get(CreditNote, id)

    async def credit_notes(
        self, *, before: int | None, limit: int, customer: str | None = None, invoice: int | None = None
    ) -> Page[CreditNote]:
        return await newest_first(
            self.session, CreditNote, t.credit_notes, before=before, limit=limit, customer=customer, invoice_id=invoice
        )

    async def payment(self, id: int) -> Payment | None:
        return await self.session.get(Payment, id)

    async def payments(self, *, before: int | None, limit: int, customer: str | None = None) -> Page[Payment]:
        return await newest_first(self.session, Payment, t.payments, before=before, limit=limit, customer=customer)
