"""Handlers for sales orders: confirmation with reservations, credit holds, reductions, shipments, returns."""

from __future__ import annotations

from typing import Any

from hub.core.commands import NewReturn, NewSalesOrder, NewShipment, SalesOrderReduction, unique_skus
from hub.core.errors import DuplicateRecord, InsufficientStock, InvalidInput, NotFound
from hub.core.events import (
    OrderedCharge,
    ReducedLine,
    ReturnedLine,
    ReturnReceived,
    SalesOrderCancelled,
    SalesOrderConfirmed,
    SalesOrderOnHold,
    SalesOrderReduced,
    ShipmentCreated,
    ShippedLine,
    SoldLine,
)
from hub.core.handlers._refs import check_products
from hub.core.handlers._stock import close_book, open_book
from hub.core.handlers.finance import known_tax_rate
from hub.core.handlers.invoicing import bill_shipment, credit_return
from hub.core.ledger import StockBook
from hub.core.ports import UnitOfWork
from hub.core.sales import ChargeKind, OrderCharge, SalesOrder, SalesOrderLine, SalesOrderStatus, SalesReturn, Shipment

__all__ = [
    "approve_sales_order",
    "cancel_sales_order",
    "create_sales_order",
    "reduce_sales_order",
    "return_sales_order",
    "ship_sales_order",
]


async def _locked(uow: UnitOfWork, order_id: int) -> SalesOrder:
    order = await uow.sales_orders.get(order_id, lock=True)
    if order is None:
        raise NotFound(f"sales order {order_id} does not exist")
    return order


def _placed(order: SalesOrder) -> SalesOrderConfirmed | SalesOrderOnHold:
    """The event saying how the order was placed: confirmed (reserved) or on hold."""
    assert order.id is not None
    placed: dict[str, Any] = dict(
        sales_order_id=order.id,
        customer=order.customer,
        warehouse=order.warehouse,
        channel=order.channel,
        external_id=order.external_id,
        currency=order.currency,
        total=order.total,
        lines=[
            SoldLine(sku=line.sku, qty=line.qty, price=line.unit_price, discount=line.discount) for line in order.lines
        ],
        charges=[
            OrderedCharge(kind=c.kind.value, description=c.description, amount=c.amount, tax_code=c.tax_code)
            for c in order.charges
        ],
    )
    if order.status == SalesOrderStatus.ON_HOLD:
        return SalesOrderOnHold(**placed, reason=order.hold_reason or "")
    return SalesOrderConfirmed(**placed)


async def create_sales_order(
    cmd: NewSalesOrder, uow: UnitOfWork, *, currency: str = "USD", hold_when_short: bool = False
) -> SalesOrder:
    """Confirm the order with every line reserved, or put it on hold over the credit limit.

    Nothing is written when a line cannot be reserved: :class:`InsufficientStock`
    names each short line with what is available — unless ``hold_when_short``, for
    orders a channel has already taken (the customer has paid): those are kept on hold,
    nothing reserved, until approved once the stock is there.
    """
    if cmd.channel is not None and cmd.external_id is not None:
        existing = await uow.sales_orders.find_by_external_id(cmd.channel, cmd.external_id)
        if existing is not None:
            raise DuplicateRecord(
                f"order {cmd.external_id} from channel {cmd.channel} is already sales order {existing.id}",
                field="external_id",
            )
    # One look-up for everything the order names, which also locks its stock levels;
    # the checks keep their order.
    refs = await uow.sales_orders.references(cmd.customer, cmd.warehouse, [line.sku for line in cmd.lines])
    customer = refs.customer
    if customer is None:
        raise InvalidInput(f"unknown customer {cmd.customer!r}", field="customer")
    if refs.warehouse is None:
        raise InvalidInput(f"unknown warehouse {cmd.warehouse!r}", field="warehouse")
    check_products(cmd.lines, refs.products)
    for i, line in enumerate(cmd.lines):
        if line.tax_code is not None:
            await known_tax_rate(uow, line.tax_code, f"lines[{i}].tax_code")
        if line.discount > line.qty * line.unit_price:
            raise InvalidInput(
                f"{line.sku}: a discount of {line.discount} is more than the line's {line.qty * line.unit_price:f}",
                field=f"lines[{i}].discount",
            )
    for i, charge in enumerate(cmd.charges):
        if charge.tax_code is not None:
            await known_tax_rate(uow, charge.tax_code, f"charges[{i}].tax_code")
    order = SalesOrder(
        customer=cmd.customer,
        warehouse=cmd.warehouse,
        channel=cmd.channel,
        external_id=cmd.external_id,
        currency=cmd.currency or currency,
        prices_include_tax=cmd.prices_include_tax,
        lines=[
            SalesOrderLine(
                sku=line.sku,
                qty=line.qty,
                unit_price=line.unit_price,
                tax_code=line.tax_code,
                discount=line.discount,
                line_no=i + 1,
            )
            for i, line in enumerate(cmd.lines)
        ],
        charges=[
            OrderCharge(
                kind=ChargeKind(charge.kind),
                description=charge.description,
                amount=charge.amount,
                tax_code=charge.tax_code,
                line_no=i + 1,
            )
            for i, charge in enumerate(cmd.charges)
        ],
    )
    order.check_charges()
    book = None
    if customer.credit_limit is not None:
        # Lock the customer so two concurrent orders cannot both fit under the limit.
        await uow.customers.get(cmd.customer, lock=True)
        exposure = await uow.sales_orders.open_total(cmd.customer) + order.total
        if exposure > customer.credit_limit:
            order.hold(f"credit limit {customer.credit_limit} exceeded: open orders and this one come to {exposure}")
    if order.status != SalesOrderStatus.ON_HOLD:
        # The levels come as copies the unit of work does not track (cheaper than the
        # ORM's): the reservation is stored explicitly below.
        book = StockBook(levels=refs.levels, valuations={})
        try:
            order.confirm(book)
        except InsufficientStock as short:
            if not hold_when_short:
                raise
            order.hold(f"waiting for stock: {short.message.removeprefix('insufficient stock: ')}")
            book = None
    await uow.sales_orders.add(order)
    uow.emit(_placed(order))
    if book is not None:
        await uow.stock.save_levels(book.touched.values())
        await close_book(uow, book, products=refs.products)
    return order


async def approve_sales_order(order_id: int, uow: UnitOfWork) -> SalesOrder:
    """Release an order from credit hold: reserve it now, or refuse if stock is short."""
    order = await _locked(uow, order_id)
    book = await open_book(uow, [(line.sku, order.warehouse) for line in order.lines], create=False)
    order.approve(book)
    uow.emit(_placed(order))
    await close_book(uow, book)
    return order


async def cancel_sales_order(order_id: int, uow: UnitOfWork) -> SalesOrder:
    order = await _locked(uow, order_id)
    book = await open_book(uow, [(line.sku, order.warehouse) for line in order.lines if line.reserved > 0])
    order.cancel(book)
    uow.emit(SalesOrderCancelled(sales_order_id=order_id, channel=order.channel, external_id=order.external_id))
    await close_book(uow, book)
    return order


async def reduce_sales_order(order_id: int, cmd: SalesOrderReduction, uow: UnitOfWork) -> SalesOrder:
    """Take units off an open order before they ship (the channel cancelled them).

    Their reservation is released, so the stock is free to sell again; an order with
    nothing left on it is cancelled, which is said too (``sales_order.cancelled``).
    """
    order = await _locked(uow, order_id)
    unique_skus(cmd.lines)  # type: ignore[arg-type]
    named = {line.sku for line in cmd.lines}
    book = await open_book(
        uow, [(line.sku, order.warehouse) for line in order.lines if line.sku in named and line.reserved > 0]
    )
    reduced = order.reduce([(line.sku, line.qty) for line in cmd.lines], book)
    uow.emit(
        SalesOrderReduced(
            sales_order_id=order_id,
            channel=order.channel,
            external_id=order.external_id,
            status=order.status,
            total=order.total,
            lines=[ReducedLine(sku=sku, qty=qty, removed=removed) for sku, qty, removed in reduced],
        )
    )
    if order.status == SalesOrderStatus.CANCELLED:
        uow.emit(SalesOrderCancelled(sales_order_id=order_id, channel=order.channel, external_id=order.external_id))
    await close_book(uow, book)
    return order


async def ship_sales_order(order_id: int, cmd: NewShipment, uow: UnitOfWork, *, auto_invoice: bool = False) -> Shipment:
    """Ship, and with ``auto_invoice`` (``HUB_AUTO_INVOICE``) invoice what shipped in the same unit of work."""
    order = await _locked(uow, order_id)
    unique_skus(cmd.lines)  # type: ignore[arg-type]
    shipment = order.ship([(line.sku, line.qty) for line in cmd.lines], cmd.carrier, cmd.tracking)
    await uow.shipments.add(shipment)
    assert shipment.id is not None
    skus = [line.sku for line in shipment.lines]
    book = await open_book(uow, [(sku, order.warehouse) for sku in skus], valued=skus)
    order.post_shipment(shipment, book)
    uow.emit(
        ShipmentCreated(
            sales_order_id=order_id,
            shipment_id=shipment.id,
            warehouse=order.warehouse,
            carrier=shipment.carrier,
            tracking=shipment.tracking,
            status=order.status,
            lines=[ShippedLine(sku=line.sku, qty=line.qty, cost=line.cost) for line in shipment.lines],
        )
    )
    await close_book(uow, book)
    if auto_invoice:
        await bill_shipment(uow, order, shipment)
    return shipment


async def return_sales_order(order_id: int, cmd: NewReturn, uow: UnitOfWork) -> SalesReturn:
    """Take goods back (restocked or scrapped) and credit what of them was invoiced."""
    order = await _locked(uow, order_id)
    ret = order.take_return([(line.sku, line.qty, line.restock) for line in cmd.lines])
    await uow.returns.add(ret)
    assert ret.id is not None
    restocked = [line.sku for line in ret.lines if line.restock]
    book = await open_book(uow, [(sku, order.warehouse) for sku in restocked], valued=restocked)
    order.post_return(ret, book)
    uow.emit(
        ReturnReceived(
            sales_order_id=order_id,
            return_id=ret.id,
            warehouse=order.warehouse,
            lines=[
                ReturnedLine(sku=line.sku, qty=line.qty, restock=line.restock, cost=line.cost) for line in ret.lines
            ],
        )
    )
    await close_book(uow, book)
    await credit_return(uow, order, ret)
    return ret
