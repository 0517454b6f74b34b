"""/v1/payments: customer payments with allocations to invoices, later allocations, read."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter
from hub.api.receivable_schemas import PaymentOut
from hub.api.routing import HubRoute
from hub.api.schemas import Page
from hub.core import handlers
from hub.core.errors import NotFound
from hub.core.receivable_commands import NewAllocations, NewPayment
from hub.db.receivables import ReceivableQueries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1/payments", tags=["payments"])


async def view(uow: SqlUnitOfWork, payment_id: int) -> PaymentOut:
    payment = await ReceivableQueries(uow.session).payment(payment_id)
    if payment is None:
        raise NotFound(f"payment {payment_id} does not exist")
    return PaymentOut.model_validate(payment)


@router.post("", status_code=201, response_model=PaymentOut)
async def receive_payment(body: NewPayment, ctx: Writer) -> Response:
    """Money in from a customer; what ``allocations`` do not settle is customer credit.

    An allocation past the invoice's amount due or the payment's amount, to a void invoice,
    another customer's or one in another currency is 422 naming it; nothing is written.
    """

    async def action(uow: SqlUnitOfWork) -> PaymentOut:
        payment = await handlers.receive_payment(body, uow)
        return await view(uow, payment.id or 0)

    return await ctx.write(action)


@router.get("", response_model=Page[PaymentOut])
async def list_payments(
    ctx: Reader, customer: CodeFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[PaymentOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await ReceivableQueries(uow.session).payments(before=decode(cursor, int), limit=limit, customer=customer)
        items = [PaymentOut.model_validate(payment) for payment in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/{payment_id}", response_model=PaymentOut)
async def get_payment(payment_id: DocumentId, ctx: Reader) -> PaymentOut:
    async with ctx.reader() as uow:
        return await view(uow, payment_id)


@router.post("/{payment_id}/allocations", status_code=201, response_model=PaymentOut)
async def allocate_payment(payment_id: DocumentId, body: NewAllocations, ctx: Writer) -> Response:
    """Allocate the payment's remaining credit to invoices (the same rules as at receipt)."""

    async def action(uow: SqlUnitOfWork) -> PaymentOut:
        await handlers.allocate_payment(payment_id, body, uow)
        return await view(uow, payment_id)

    return await ctx.write(action)
