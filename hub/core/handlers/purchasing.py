"""Handlers for purchase orders and their receipts."""

from __future__ import annotations

from decimal import Decimal

from hub.core.commands import NewPurchaseOrder, NewReceipt
from hub.core.errors import NotFound
from hub.core.events import (
    OrderLine,
    PurchaseOrderApproved,
    PurchaseOrderCancelled,
    PurchaseOrderCreated,
    ReceiptLinePosted,
    ReceiptPosted,
)
from hub.core.handlers._refs import known, known_products
from hub.core.handlers._stock import close_book, open_book, refresh_alerts
from hub.core.handlers.finance import known_tax_rate
from hub.core.numbers import ZERO
from hub.core.ports import UnitOfWork
from hub.core.purchasing import PurchaseOrder, PurchaseOrderLine, Receipt

__all__ = [
    "approve_purchase_order",
    "cancel_purchase_order",
    "create_purchase_order",
    "line_rates",
    "receive_purchase_order",
]


async def line_rates(uow: UnitOfWork, order: PurchaseOrder) -> dict[str, Decimal]:
    """Each taxed line's rate by SKU (tax rates are never changed, so a code names one rate)."""
    found: dict[str, Decimal] = {}
    for line in order.lines:
        if line.tax_code is not None:
            rate = await uow.tax_rates.get(line.tax_code)
            found[line.sku] = rate.rate if rate is not None else ZERO
    return found


async def _locked(uow: UnitOfWork, order_id: int) -> PurchaseOrder:
    order = await uow.purchase_orders.get(order_id, lock=True)
    if order is None:
        raise NotFound(f"purchase order {order_id} does not exist")
    return order


async def create_purchase_order(cmd: NewPurchaseOrder, uow: UnitOfWork, *, currency: str = "USD") -> PurchaseOrder:
    await known(uow.suppliers, cmd.supplier, "supplier", "supplier")
    await known(uow.warehouses, cmd.warehouse, "warehouse", "warehouse")
    products = await known_products(uow, cmd.lines)
    for i, line in enumerate(cmd.lines):
        if line.tax_code is not None:
            await known_tax_rate(uow, line.tax_code, f"lines[{i}].tax_code")
    order = PurchaseOrder(
        supplier=cmd.supplier,
        warehouse=cmd.warehouse,
        currency=cmd.currency or currency,
        prices_include_tax=cmd.prices_include_tax,
        expected_date=cmd.expected_date,
        lines=[
            PurchaseOrderLine(
                sku=line.sku,
                qty=line.qty,
                unit_cost=line.unit_cost,
                line_no=i + 1,
                # The rate is fixed when the order is placed: its receipts and bills use this one
                # even if the product's default changes meanwhile.
                tax_code=line.tax_code or products[line.sku].tax_code,
            )
            for i, line in enumerate(cmd.lines)
        ],
    )
    await uow.purchase_orders.add(order)
    assert order.id is not None
    uow.emit(
        PurchaseOrderCreated(
            purchase_order_id=order.id,
            supplier=order.supplier,
            warehouse=order.warehouse,
            currency=order.currency,
            total=order.total,
            lines=[OrderLine(sku=line.sku, qty=line.qty, price=line.unit_cost) for line in order.lines],
        )
    )
    return order


async def approve_purchase_order(order_id: int, uow: UnitOfWork) -> PurchaseOrder:
    order = await _locked(uow, order_id)
    order.approve()
    uow.emit(PurchaseOrderApproved(purchase_order_id=order_id))
    # What is on order changed, and with it the suggested quantity of low-stock alerts.
    await refresh_alerts(uow, [line.sku for line in order.lines])
    return order


async def cancel_purchase_order(order_id: int, uow: UnitOfWork) -> PurchaseOrder:
    order = await _locked(uow, order_id)
    order.cancel()
    uow.emit(PurchaseOrderCancelled(purchase_order_id=order_id))
    await refresh_alerts(uow, [line.sku for line in order.lines])
    return order


async def receive_purchase_order(order_id: int, cmd: NewReceipt, uow: UnitOfWork) -> Receipt:
    order = await _locked(uow, order_id)
    rates = await line_rates(uow, order) if order.prices_include_tax else None
    receipt = order.receive([(line.sku, line.accepted, line.rejected) for line in cmd.lines], rates)
    await uow.receipts.add(receipt)
    assert receipt.id is not None
    accepted = [line.sku for line in receipt.lines if line.accepted > 0]
    book = await open_book(uow, [(sku, order.warehouse) for sku in accepted], valued=accepted)
    receipt.post(book)
    uow.emit(
        ReceiptPosted(
            purchase_order_id=order_id,
            receipt_id=receipt.id,
            warehouse=order.warehouse,
            status=order.status,
            lines=[
                ReceiptLinePosted(
                    sku=line.sku, accepted=line.accepted, rejected=line.rejected, unit_cost=line.unit_cost
                )
                for line in receipt.lines
            ],
        )
    )
    await close_book(uow, book)
    return receipt
