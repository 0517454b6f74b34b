"""/v1/sales-orders: confirm with reservations, approve holds, reduce, ship, cancel, return, read."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter, ExternalIdFilter
from hub.api.routing import HubRoute
from hub.api.schemas import Page, SalesOrderOut
from hub.core import handlers
from hub.core.commands import NewReturn, NewSalesOrder, NewShipment, SalesOrderReduction
from hub.core.errors import NotFound
from hub.core.sales import SalesOrderStatus
from hub.db.queries import Queries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1/sales-orders", tags=["sales orders"])


async def view(uow: SqlUnitOfWork, order_id: int) -> SalesOrderOut:
    found = await Queries(uow.session).sales_order(order_id)
    if found is None:
        raise NotFound(f"sales order {order_id} does not exist")
    return SalesOrderOut.of(*found)


@router.post("", status_code=201, response_model=SalesOrderOut)
async def create_sales_order(body: NewSalesOrder, ctx: Writer) -> Response:
    """Confirmed with every line reserved; ``on_hold`` (nothing reserved) over the credit limit.

    409 ``insufficient-stock`` lists each short line with what is available; nothing is written.
    """

    async def action(uow: SqlUnitOfWork) -> SalesOrderOut:
        order = await handlers.create_sales_order(body, uow, currency=ctx.hub.settings.currency)
        return await view(uow, order.id or 0)

    return await ctx.write(action)


@router.get("", response_model=Page[SalesOrderOut])
async def list_sales_orders(
    ctx: Reader,
    channel: CodeFilter = None,
    external_id: ExternalIdFilter = None,
    status: SalesOrderStatus | None = None,
    customer: CodeFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[SalesOrderOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        queries = Queries(uow.session)
        page = await queries.sales_orders(
            before=decode(cursor, int),
            limit=limit,
            channel=channel,
            external_id=external_id,
            status=status,
            customer=customer,
        )
        ids = [order.id for order in page.items]
        shipments, returns = await queries.shipments_of(ids), await queries.returns_of(ids)
        items = [SalesOrderOut.of(order, shipments[order.id], returns[order.id]) for order in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/{order_id}", response_model=SalesOrderOut)
async def get_sales_order(order_id: DocumentId, ctx: Reader) -> SalesOrderOut:
    async with ctx.reader() as uow:
        return await view(uow, order_id)


@router.post("/{order_id}/approve", response_model=SalesOrderOut)
async def approve_sales_order(order_id: DocumentId, ctx: Writer) -> Response:
    """Release a credit hold: reserves every line now (409 if stock is short)."""

    async def action(uow: SqlUnitOfWork) -> SalesOrderOut:
        await handlers.approve_sales_order(order_id, uow)
        return await view(uow, order_id)

    return await ctx.write(action, status=200)


@router.post("/{order_id}/shipments", status_code=201, response_model=SalesOrderOut)
async def ship_sales_order(order_id: DocumentId, body: NewShipment, ctx: Writer) -> Response:
    """Ship some or all of what is reserved; answers with the order, the new shipment last."""

    async def action(uow: SqlUnitOfWork) -> SalesOrderOut:
        await handlers.ship_sales_order(order_id, body, uow, auto_invoice=ctx.hub.settings.auto_invoice)
        return await view(uow, order_id)

    return await ctx.write(action)


@router.post("/{order_id}/cancel", response_model=SalesOrderOut)
async def cancel_sales_order(order_id: DocumentId, ctx: Writer) -> Response:
    async def action(uow: SqlUnitOfWork) -> SalesOrderOut:
        await handlers.cancel_sales_order(order_id, uow)
        return await view(uow, order_id)

    return await ctx.write(action, status=200)


@router.post("/{order_id}/reduce", response_model=SalesOrderOut)
async def reduce_sales_order(order_id: DocumentId, body: SalesOrderReduction, ctx: Writer) -> Response:
    """Lower lines to a new quantity (units cancelled before they shipped), releasing their reservation."""

    async def action(uow: SqlUnitOfWork) -> SalesOrderOut:
        await handlers.reduce_sales_order(order_id, body, uow)
        return await view(uow, order_id)

    return await ctx.write(action, status=200)


@router.post("/{order_id}/returns", status_code=201, response_model=SalesOrderOut)
async def return_sales_order(order_id: DocumentId, body: NewReturn, ctx: Writer) -> Response:
    """Take goods back: ``restock: true`` into the warehouse, ``false`` scrapped to inventory-loss."""

    async def action(uow: SqlUnitOfWork) -> SalesOrderOut:
        await handlers.return_sales_order(order_id, body, uow)
        return await view(uow, order_id)

    return await ctx.write(action)
