"""A confirmation's own statements (Core, not the ORM) agree with the rest of its unit of work.

Confirming an order reads and writes around the ORM's unit of work (see
``hub/db/sales_orders.py``); these hold it to what the ORM would have done when other
handlers share the unit of work, on both databases.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.bootstrap import Hub
from hub.core import handlers
from hub.core.commands import (
    NewCustomer,
    NewProduct,
    NewPurchaseOrder,
    NewReceipt,
    NewSalesOrder,
    NewSupplier,
    NewWarehouse,
    PurchaseLine,
    ReceiptLineIn,
    SalesLine,
)
from hub.core.errors import InvalidInput
from hub.core.sales import SalesOrderStatus


async def _stocked(hub: Hub) -> None:
    async with hub.uow() as uow:
        await handlers.create_warehouse(NewWarehouse(code="WH", name="Main"), uow)
        await handlers.create_customer(NewCustomer(code="C", name="Customer"), uow)
        await handlers.create_supplier(NewSupplier(code="SUP", name="Supplier"), uow)
        await handlers.create_product(NewProduct(sku="P", name="Product", reorder_point=Decimal(5)), uow)
        order = await handlers.create_purchase_order(
            NewPurchaseOrder(
                supplier="SUP", warehouse="WH", lines=[PurchaseLine(sku="P", qty=Decimal(10), unit_cost=Decimal(2))]
            ),
            uow,
        )
        assert order.id is not None
        await handlers.approve_purchase_order(order.id, uow)
        await handlers.receive_purchase_order(
            order.id, NewReceipt(lines=[ReceiptLineIn(sku="P", accepted=Decimal(10))]), uow
        )
        await uow.commit()


def _order(qty: int) -> NewSalesOrder:
    return NewSalesOrder(
        customer="C", warehouse="WH", lines=[SalesLine(sku="P", qty=Decimal(qty), unit_price=Decimal(9))]
    )


async def test_a_level_already_read_in_the_unit_of_work_shows_the_reservation(hub: Hub) -> None:
    await _stocked(hub)
    async with hub.uow() as uow:
        tracked = (await uow.stock.lock([("P", "WH")]))[("P", "WH")]
        order = await handlers.create_sales_order(_order(3), uow)
        assert tracked.reserved == 3
        assert order.id is not None
        await handlers.cancel_sales_order(order.id, uow)
        await uow.commit()
        events = [(envelope.type, envelope.payload.get("reserved")) for envelope in uow.committed]

    assert [(kind, None if reserved is None else Decimal(reserved)) for kind, reserved in events] == [
        ("sales_order.confirmed", None),
        ("stock.level_changed", 3),
        ("sales_order.cancelled", None),
        ("stock.level_changed", 0),
    ]
    async with hub.uow.reader() as uow:
        level = (await uow.stock.for_skus(["P"]))["P"][0]
        stored = await uow.sales_orders.get(order.id)
    assert (level.on_hand, level.reserved) == (10, 0)
    assert stored is not None and stored.status == SalesOrderStatus.CANCELLED


async def test_an_order_sees_a_product_changed_earlier_in_the_unit_of_work(hub: Hub) -> None:
    await _stocked(hub)
    async with hub.uow() as uow:
        product = await uow.products.get("P")
        assert product is not None
        product.active = False  # not yet written when the order looks its products up

        with pytest.raises(InvalidInput) as refused:
            await handlers.create_sales_order(_order(1), uow)
    assert refused.value.field == "lines[0].sku"


async def test_a_confirmation_that_crosses_the_reorder_point_raises_the_alert(hub: Hub) -> None:
    await _stocked(hub)
    async with hub.uow() as uow:
        await handlers.create_sales_order(_order(6), uow)
        await uow.commit()
        types = [envelope.type for envelope in uow.committed]

    assert types == ["sales_order.confirmed", "stock.level_changed", "reorder_alert.raised"]
