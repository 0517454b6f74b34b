"""Small builders for the unit tests: a seeded store, one-line purchases and sales, and the
base of the books' state machines.

Everything runs through the real handlers over :class:`tests.fakes.FakeStore`, so a
test reads like what a user does: buy stock in, sell it, look at the books.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

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
from hub.core.errors import DomainError, DuplicateRecord
from hub.core.ledger import StockLevel, Valuation
from hub.core.purchasing import PurchaseOrder
from hub.core.sales import SalesOrder
from tests.fakes import FakeStore, Tables

__all__ = [
    "CUSTOMER",
    "SUPPLIER",
    "TIGHT",
    "WH1",
    "WH2",
    "D",
    "StoreMachine",
    "buy",
    "event_types",
    "level",
    "order_purchase",
    "seed",
    "sell",
    "valuation",
]

T = TypeVar("T")

WH1, WH2 = "WH1", "WH2"
SUPPLIER = "ACME"
CUSTOMER = "SHOP"
#: A customer with a credit limit of 100.
TIGHT = "TIGHT"


def D(value: str | int) -> Decimal:
    return Decimal(value)


async def seed(store: FakeStore, skus: tuple[str, ...] = ("TEA", "CUP", "POT")) -> None:
    """Two warehouses, a supplier, two customers (one with a credit limit), products."""
    await store.run(handlers.create_warehouse, NewWarehouse(code=WH1, name="Main"))
    await store.run(handlers.create_warehouse, NewWarehouse(code=WH2, name="Outlet"))
    await store.run(handlers.create_supplier, NewSupplier(code=SUPPLIER, name="Acme Trading"))
    await store.run(handlers.create_customer, NewCustomer(code=CUSTOMER, name="Web shop"))
    await store.run(handlers.create_customer, NewCustomer(code=TIGHT, name="Small buyer", credit_limit=D(100)))
    for sku in skus:
        await store.run(handlers.create_product, NewProduct(sku=sku, name=sku.title()))


async def order_purchase(
    store: FakeStore, lines: dict[str, tuple[str | int, str | int]], *, warehouse: str = WH1, approve: bool = True
) -> PurchaseOrder:
    """A purchase order of ``{sku: (qty, unit_cost)}``, approved unless told otherwise."""
    cmd = NewPurchaseOrder(
        supplier=SUPPLIER,
        warehouse=warehouse,
        lines=[PurchaseLine(sku=sku, qty=D(qty), unit_cost=D(cost)) for sku, (qty, cost) in lines.items()],
    )
    order = await store.run(handlers.create_purchase_order, cmd)
    assert order.id is not None
    if approve:
        order = await store.run(handlers.approve_purchase_order, order.id)
    return order


async def buy(store: FakeStore, sku: str, qty: str | int, unit_cost: str | int, *, warehouse: str = WH1) -> None:
    """Order, approve and receive ``qty`` of ``sku`` in full."""
    order = await order_purchase(store, {sku: (qty, unit_cost)}, warehouse=warehouse)
    receipt = NewReceipt(lines=[ReceiptLineIn(sku=sku, accepted=D(qty))])
    await store.run(handlers.receive_purchase_order, order.id, receipt)


async def sell(
    store: FakeStore,
    lines: dict[str, str | int],
    *,
    customer: str = CUSTOMER,
    warehouse: str = WH1,
    price: str | int = 10,
    channel: str | None = None,
    external_id: str | None = None,
) -> SalesOrder:
    """A sales order of ``{sku: qty}`` at one unit price."""
    cmd = NewSalesOrder(
        customer=customer,
        warehouse=warehouse,
        channel=channel,
        external_id=external_id,
        lines=[SalesLine(sku=sku, qty=D(qty), unit_price=D(price)) for sku, qty in lines.items()],
    )
    return await store.run(handlers.create_sales_order, cmd)


def level(store: FakeStore, sku: str, warehouse: str = WH1) -> StockLevel:
    """The committed stock level (zero when the SKU never was there)."""
    return store.tables.levels.get((sku, warehouse)) or StockLevel(sku=sku, warehouse=warehouse)


def valuation(store: FakeStore, sku: str) -> Valuation:
    return store.tables.valuations.get(sku) or Valuation(sku=sku)


def event_types(store: FakeStore, since: int = 0) -> list[str]:
    """Types of the events committed after the first ``since`` (an earlier ``len(store.events)``)."""
    return [event.type for event in store.events[since:]]


class StoreMachine(RuleBasedStateMachine):
    """A hypothesis state machine over one :class:`FakeStore`, its handlers run on an event
    loop of its own (closed at teardown); subclasses add the rules and invariants."""

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.store = FakeStore()

    def teardown(self) -> None:
        self.runner.close()

    @property
    def t(self) -> Tables:
        return self.store.tables

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` (a set-up, say) to its end on the machine's loop."""
        return self.runner.run(work)

    def execute(self, handler: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """Run one command: its result, or None if refused; a refusal must change nothing at all."""
        before = (self.store.version, len(self.store.outbox))
        try:
            return self.run(self.store.run(handler, *args))
        except DuplicateRecord:
            raise  # nothing reuses a key by chance: a duplicate is a bug, not a refusal
        except DomainError:
            assert (self.store.version, len(self.store.outbox)) == before
            return None
