"""Replaying the sample business through the service layer, one unit of work per step.

Each step is what one API request would do — a handler (or two) in a write unit of
work, committed with its outbox events — so the demo leaves exactly the ledger,
levels, alerts and events that the same week of trading through the API would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bootstrap import Hub
from hub.core import handlers
from hub.core.commands import NewPurchaseOrder, NewReceipt, NewSalesOrder, NewShipment, NewTransfer
from hub.core.errors import DomainError
from hub.core.handlers.finance import today
from hub.core.receivable_commands import NewInvoice
from hub.db import tables as t
from hub.db.uow import SqlUnitOfWork
from hub.demo import business as b
from hub.outbox.envelope import correlation_id

__all__ = ["DemoError", "State", "count_rows", "load", "state"]

T = TypeVar("T")


class DemoError(Exception):
    """The demo cannot run here; the message says why and what to do instead."""


class State(Enum):
    EMPTY = "empty"
    LOADED = "loaded"
    #: An earlier run stopped half way (or another one is running now).
    PARTIAL = "partial"
    #: Someone's real data: the demo must not mix into it.
    FOREIGN = "foreign"


async def count_rows(session: AsyncSession, table: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


async def state(hub: Hub) -> State:
    """Whether the database is empty, holds the whole demo, part of it, or other data."""
    async with hub.uow.reader() as uow:
        session = uow.session
        if await count_rows(session, t.warehouses, t.warehouses.c.code == b.MARKER):
            # The expense is the last step: without it, loading stopped before the end.
            done = await count_rows(session, t.expenses)
            return State.LOADED if done else State.PARTIAL
        for table in (t.products, t.warehouses, t.suppliers, t.customers):
            if await count_rows(session, table):
                return State.FOREIGN
    return State.EMPTY


class _Steps:
    """Runs each business step in a write unit of work of its own, as the API would."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.currency = hub.settings.currency

    async def run(self, label: str, action: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
        # The step's name becomes its events' correlation_id, so GET /v1/events tells the story.
        token = correlation_id.set(f"hub-demo: {label}")
        try:
            async with self.hub.uow() as uow:
                result = await action(uow)
                await uow.commit()
            return result
        except DomainError as error:
            raise DemoError(f"the demo stopped at step '{label}': {error.message}") from error
        finally:
            correlation_id.reset(token)

    async def purchase(self, label: str, cmd: NewPurchaseOrder) -> int:
        """Raise a purchase order and approve it (the buyer's sign-off) in one step."""

        async def action(uow: SqlUnitOfWork) -> int:
            order = await handlers.create_purchase_order(cmd, uow, currency=self.currency)
            assert order.id is not None
            await handlers.approve_purchase_order(order.id, uow)
            return order.id

        return await self.run(label, action)

    async def receive(self, label: str, order_id: int, cmd: NewReceipt) -> None:
        await self.run(label, lambda uow: handlers.receive_purchase_order(order_id, cmd, uow))

    async def sell(self, label: str, cmd: NewSalesOrder) -> int:
        order = await self.run(label, lambda uow: handlers.create_sales_order(cmd, uow, currency=self.currency))
        assert order.id is not None
        return order.id

    async def ship(self, label: str, order_id: int, cmd: NewShipment) -> None:
        await self.run(label, lambda uow: handlers.ship_sales_order(order_id, cmd, uow))

    async def invoice(self, label: str, order_id: int) -> int:
        """Invoice everything the order shipped and kept."""
        cmd = NewInvoice(sales_order=order_id)
        invoice = await self.run(label, lambda uow: handlers.issue_invoice(cmd, uow))
        assert invoice.id is not None
        return invoice.id

    async def transfer(self, label: str, cmd: NewTransfer) -> int:
        transfer = await self.run(label, lambda uow: handlers.create_transfer(cmd, uow))
        assert transfer.id is not None
        return transfer.id


async def _master_data(uow: SqlUnitOfWork) -> None:
    for rate in b.TAX_RATES:
        await handlers.create_tax_rate(rate, uow)
    for warehouse in b.WAREHOUSES:
        await handlers.create_warehouse(warehouse, uow)
    for supplier in b.SUPPLIERS:
        await handlers.create_supplier(supplier, uow)
    for customer in b.CUSTOMERS:
        await handlers.create_customer(customer, uow)
    for product in b.PRODUCTS:
        await handlers.create_product(product, uow)


async def load(hub: Hub) -> None:
    """A week of trading, day by day: goods must arrive before they are sold or moved."""
    do = _Steps(hub)
    await do.run("day 1: master data", _master_data)
    teas = await do.purchase("day 1: order teas", b.PO_TEAS)
    porcelain = await do.purchase("day 1: order porcelain", b.PO_PORCELAIN)
    clay = await do.purchase("day 1: order teapots and trays", b.PO_CLAY)

    await do.receive("day 2: receive teas", teas, b.RECEIPT_TEAS)
    await do.receive("day 2: receive porcelain, 4 gaiwans chipped", porcelain, b.RECEIPT_PORCELAIN)
    await do.receive("day 2: receive clay, 4 teapots cracked", clay, b.RECEIPT_CLAY)
    hangzhou = await do.purchase("day 2: order teas for Hangzhou", b.PO_HANGZHOU)
    teahouse = await do.sell("day 2: Leaf & Cup orders", b.SO_TEAHOUSE)
    online = await do.sell("day 2: Tmall order", b.SO_ONLINE)
    await do.ship("day 2: ship Leaf & Cup", teahouse, b.SHIP_TEAHOUSE)

    await do.receive("day 3: receive Hangzhou teas", hangzhou, b.RECEIPT_HANGZHOU)
    await do.receive("day 3: replacement gaiwans", porcelain, b.RECEIPT_GAIWANS)
    await do.ship("day 3: ship Tmall", online, b.SHIP_ONLINE)
    restaurant = await do.sell("day 3: Jade Garden orders", b.SO_RESTAURANT)
    await do.ship("day 3: ship Jade Garden in part", restaurant, b.SHIP_RESTAURANT_PART)
    changed_mind = await do.sell("day 3: Leaf & Cup orders trays", b.SO_CHANGED_MIND)

    await do.run("day 4: Leaf & Cup cancels", lambda uow: handlers.cancel_sales_order(changed_mind, uow))
    await do.sell("day 4: Tea Corner orders over its credit limit", b.SO_OVER_LIMIT)
    await do.run("day 4: Leaf & Cup returns", lambda uow: handlers.return_sales_order(teahouse, b.RETURN_TEAHOUSE, uow))
    showroom = await do.transfer("day 4: stock the showroom", b.TRANSFER_SHOWROOM)

    await do.run("day 5: showroom receives", lambda uow: handlers.receive_transfer(showroom, uow))
    await do.transfer("day 5: Longjing on its way to Shanghai", b.TRANSFER_LONGJING)
    await do.run("day 5: count the main warehouse", lambda uow: handlers.post_stock_count(b.COUNT_MAIN, uow))
    await _books(do, teas, teahouse=teahouse, online=online, restaurant=restaurant)


async def _books(do: _Steps, teas: int, *, teahouse: int, online: int, restaurant: int) -> None:
    """Day 6: the week's invoices, payments, the tea bill and freight — dated today, as the
    invoices are (an invoice is issued the day it is made)."""
    day = today().date()
    await do.invoice("day 6: invoice Leaf & Cup (less what came back)", teahouse)
    await do.invoice("day 6: invoice the Tmall order", online)
    jade_garden = await do.invoice("day 6: invoice Jade Garden for what shipped", restaurant)
    payment = b.payment_jade_garden(jade_garden, do.currency)
    await do.run("day 6: Jade Garden pays part", lambda uow: handlers.receive_payment(payment, uow))
    bill = await do.run(
        "day 6: West Lake Tea bills its teas", lambda uow: handlers.create_bill(b.bill_teas(teas, day), uow)
    )
    assert bill.id is not None
    paid = b.payment_xihu(bill.id, do.currency, day)
    await do.run("day 6: pay West Lake Tea in part", lambda uow: handlers.pay_supplier(paid, uow))
    expense = b.expense_freight(day)
    await do.run("day 6: pay the couriers", lambda uow: handlers.record_expense(expense, uow))
