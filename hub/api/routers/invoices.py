"""/v1/invoices: issue from shipped quantities, void, read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import MAX_ID, Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter
from hub.api.receivable_schemas import InvoiceOut
from hub.api.routing import HubRoute
from hub.api.schemas import Page
from hub.core import handlers
from hub.core.errors import NotFound
from hub.core.invoicing import InvoiceStatus
from hub.core.receivable_commands import NewInvoice
from hub.db.receivables import ReceivableQueries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1/invoices", tags=["invoices"])

#: An optional filter by a document's id.
DocumentFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


async def view(uow: SqlUnitOfWork, invoice_id: int) -> InvoiceOut:
    invoice = await ReceivableQueries(uow.session).invoice(invoice_id)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} does not exist")
    return InvoiceOut.model_validate(invoice)


@router.post("", status_code=201, response_model=InvoiceOut)
async def issue_invoice(body: NewInvoice, ctx: Writer) -> Response:
    """Bill what shipped and is not yet invoiced: every line, or the ``lines`` named.

    409 when the order has nothing shipped that is not invoiced.
    """

    async def action(uow: SqlUnitOfWork) -> InvoiceOut:
        invoice = await handlers.issue_invoice(body, uow)
        return await view(uow, invoice.id or 0)

    return await ctx.write(action)


@router.get("", response_model=Page[InvoiceOut])
async def list_invoices(
    ctx: Reader,
    customer: CodeFilter = None,
    status: InvoiceStatus | None = None,
    sales_order: DocumentFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[InvoiceOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await ReceivableQueries(uow.session).invoices(
            before=decode(cursor, int), limit=limit, customer=customer, status=status, sales_order=sales_order
        )
        items = [InvoiceOut.model_validate(invoice) for invoice in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(invoice_id: DocumentId, ctx: Reader) -> InvoiceOut:
    async with ctx.reader() as uow:
        return await view(uow, invoice_id)


@router.post("/{invoice_id}/void", response_model=InvoiceOut)
async def void_invoice(invoice_id: DocumentId, ctx: Writer) -> Response:
    """Cancel an invoice with nothing paid or credited (409 otherwise); posts the reverse entry."""

    async def action(uow: SqlUnitOfWork) -> InvoiceOut:
        await handlers.void_invoice(invoice_id, uow)
        return await view(uow, invoice_id)

    return await ctx.write(action, status=200)
