"""/v1/purchase-orders: create, approve, receive with inspection, cancel, read."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter
from hub.api.routing import HubRoute
from hub.api.schemas import Page, PurchaseOrderOut
from hub.core import handlers
from hub.core.commands import NewPurchaseOrder, NewReceipt
from hub.core.errors import NotFound
from hub.core.purchasing import PurchaseOrderStatus
from hub.db.queries import Queries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1/purchase-orders", tags=["purchase orders"])


async def view(uow: SqlUnitOfWork, order_id: int) -> PurchaseOrderOut:
    found = await Queries(uow.session).purchase_order(order_id)
    if found is None:
        raise NotFound(f"purchase order {order_id} does not exist")
    return PurchaseOrderOut.of(*found)


@router.post("", status_code=201, response_model=PurchaseOrderOut)
async def create_purchase_order(body: NewPurchaseOrder, ctx: Writer) -> Response:
    async def action(uow: SqlUnitOfWork) -> PurchaseOrderOut:
        order = await handlers.create_purchase_order(body, uow, currency=ctx.hub.settings.currency)
        return await view(uow, order.id or 0)

    return await ctx.write(action)


@router.get("", response_model=Page[PurchaseOrderOut])
async def list_purchase_orders(
    ctx: Reader,
    status: PurchaseOrderStatus | None = None,
    supplier: CodeFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[PurchaseOrderOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        queries = Queries(uow.session)
        page = await queries.purchase_orders(before=decode(cursor, int), limit=limit, status=status, supplier=supplier)
        receipts = await queries.receipts_of([order.id for order in page.items])
        items = [PurchaseOrderOut.of(order, receipts[order.id]) for order in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/{order_id}", response_model=PurchaseOrderOut)
async def get_purchase_order(order_id: DocumentId, ctx: Reader) -> PurchaseOrderOut:
    async with ctx.reader() as uow:
        return await view(uow, order_id)


@router.post("/{order_id}/approve", response_model=PurchaseOrderOut)
async def approve_purchase_order(order_id: DocumentId, ctx: Writer) -> Response:
    async def action(uow: SqlUnitOfWork) -> PurchaseOrderOut:
        await handlers.approve_purchase_order(order_id, uow)
        return await view(uow, order_id)

    return await ctx.write(action, status=200)


@router.post("/{order_id}/cancel", response_model=PurchaseOrderOut)
async def cancel_purchase_order(order_id: DocumentId, ctx: Writer) -> Response:
    async def action(uow: SqlUnitOfWork) -> PurchaseOrderOut:
        await handlers.cancel_purchase_order(order_id, uow)
        return await view(uow, order_id)

    return await ctx.write(action, status=200)


@router.post("/{order_id}/receipts", status_code=201, response_model=PurchaseOrderOut)
async def receive_purchase_order(order_id: DocumentId, body: NewReceipt, ctx: Writer) -> Response:
    """Post a receipt; answers with the whole order, the new receipt last in ``receipts``."""

    async def action(uow: SqlUnitOfWork) -> PurchaseOrderOut:
        await handlers.receive_purchase_order(order_id, body, uow)
        return await view(uow, order_id)

    return await ctx.write(action)
