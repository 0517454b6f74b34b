"""Sales orders: reservations, credit holds, shipments, cancellations and returns."""

from __future__ import annotations

import pytest

from hub.core import handlers
from hub.core.commands import (
    LineReduction,
    NewReturn,
    NewSalesOrder,
    NewShipment,
    ReturnLineIn,
    SalesLine,
    SalesOrderReduction,
    ShipLine,
)
from hub.core.errors import DuplicateRecord, InsufficientStock, InvalidInput, InvalidTransition, Shortage
from hub.core.events import (
    SalesOrderConfirmed,
    SalesOrderOnHold,
    SalesOrderReduced,
    ShipmentCreated,
    StockLevelChanged,
)
from hub.core.ledger import CUSTOMER, INVENTORY_LOSS
from hub.core.sales import SalesOrderStatus
from tests.fakes import FakeStore
from tests.unit.support import CUSTOMER as SHOP
from tests.unit.support import TIGHT, WH1, WH2, D, buy, event_types, level, sell, valuation


def shipment(**lines: int | str) -> NewShipment:
    return NewShipment(lines=[ShipLine(sku=sku, qty=D(qty)) for sku, qty in lines.items()], carrier="DHL")


def reduction(**lines: int | str) -> SalesOrderReduction:
    return SalesOrderReduction(lines=[LineReduction(sku=sku, qty=D(qty)) for sku, qty in lines.items()])


def returned(restock: bool, **lines: int | str) -> NewReturn:
    return NewReturn(lines=[ReturnLineIn(sku=sku, qty=D(qty), restock=restock) for sku, qty in lines.items()])


async def test_confirming_an_order_reserves_every_line(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 5, 1)
    mark = len(store.events)
    order = await sell(store, {"TEA": 4, "CUP": 5})
    assert order.status == SalesOrderStatus.CONFIRMED
    assert [line.reserved for line in order.lines] == [4, 5]
    tea = level(store, "TEA")
    assert (tea.on_hand, tea.reserved, tea.available) == (10, 4, 6)
    assert level(store, "CUP").available == 0
    assert event_types(store, mark) == ["sales_order.confirmed", "stock.level_changed", "stock.level_changed"]
    confirmed = store.events[mark]
    assert isinstance(confirmed, SalesOrderConfirmed) and confirmed.total == 90
    changed = {(e.sku, e.available) for e in store.events[mark:] if isinstance(e, StockLevelChanged)}
    assert changed == {("TEA", 6), ("CUP", 0)}


async def test_short_stock_refuses_the_whole_order_naming_every_short_line(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 2, 1)
    version, mark = store.version, len(store.events)
    with pytest.raises(InsufficientStock) as error:
        await sell(store, {"CUP": 3, "TEA": 10, "POT": 1})
    assert error.value.shortages == [
        Shortage("CUP", WH1, requested=D(3), available=D(2), line=0),
        Shortage("POT", WH1, requested=D(1), available=D(0), line=2),
    ]
    assert store.version == version and len(store.events) == mark
    assert not store.tables.sales_orders
    assert (level(store, "TEA").reserved, level(store, "CUP").reserved) == (0, 0)


async def test_stock_in_another_warehouse_does_not_count(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2, warehouse=WH2)
    with pytest.raises(InsufficientStock) as error:
        await sell(store, {"TEA": 1}, warehouse=WH1)
    assert error.value.shortages[0].available == 0


async def test_reserved_stock_cannot_be_promised_twice(store: FakeStore) -> None:
    await buy(store, "TEA", 5, 2)
    await sell(store, {"TEA": 4})
    with pytest.raises(InsufficientStock) as error:
        await sell(store, {"TEA": 2})
    assert error.value.shortages[0].available == 1


async def test_over_the_credit_limit_the_order_waits_on_hold_with_nothing_reserved(store: FakeStore) -> None:
    await buy(store, "TEA", 20, 2)
    mark = len(store.events)
    first = await sell(store, {"TEA": 6}, customer=TIGHT, price=10)  # 60 of 100
    assert first.status == SalesOrderStatus.CONFIRMED
    held = await sell(store, {"TEA": 5}, customer=TIGHT, price=10)  # 60 + 50 > 100
    assert held.status == SalesOrderStatus.ON_HOLD
    assert held.hold_reason is not None and "credit limit" in held.hold_reason
    assert [line.reserved for line in held.lines] == [0]
    assert level(store, "TEA").reserved == 6
    assert event_types(store, mark)[-1] == "sales_order.on_hold"
    on_hold = store.events[-1]
    assert isinstance(on_hold, SalesOrderOnHold) and on_hold.total == 50

    mark = len(store.events)
    approved = await store.run(handlers.approve_sales_order, held.id)
    assert approved.status == SalesOrderStatus.CONFIRMED
    assert approved.hold_reason is None
    assert level(store, "TEA").reserved == 11
    assert event_types(store, mark) == ["sales_order.confirmed", "stock.level_changed"]
    with pytest.raises(InvalidTransition):
        await store.run(handlers.approve_sales_order, held.id)


async def test_a_cancelled_order_no_longer_counts_against_credit(store: FakeStore) -> None:
    await buy(store, "TEA", 20, 2)
    first = await sell(store, {"TEA": 8}, customer=TIGHT, price=10)
    await store.run(handlers.cancel_sales_order, first.id)
    second = await sell(store, {"TEA": 9}, customer=TIGHT, price=10)
    assert second.status == SalesOrderStatus.CONFIRMED


async def test_approving_a_held_order_without_stock_is_refused_and_it_stays_held(store: FakeStore) -> None:
    await buy(store, "TEA", 5, 2)
    held = await sell(store, {"TEA": 20}, customer=TIGHT, price=10)
    assert held.status == SalesOrderStatus.ON_HOLD
    with pytest.raises(InsufficientStock):
        await store.run(handlers.approve_sales_order, held.id)
    assert store.tables.sales_orders[held.id].status == SalesOrderStatus.ON_HOLD
    assert level(store, "TEA").reserved == 0


async def test_partial_shipments_then_shipped(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 3)
    await buy(store, "CUP", 10, 1)
    order = await sell(store, {"TEA": 5, "CUP": 2})

    mark = len(store.events)
    first = await store.run(handlers.ship_sales_order, order.id, shipment(TEA=3))
    assert store.tables.sales_orders[order.id].status == SalesOrderStatus.PARTIALLY_SHIPPED
    tea = level(store, "TEA")
    assert (tea.on_hand, tea.reserved) == (7, 2)
    assert event_types(store, mark) == ["shipment.created", "stock.moved", "stock.level_changed", "journal.posted"]
    created = store.events[mark]
    assert isinstance(created, ShipmentCreated)
    assert (created.status, created.carrier, created.lines[0].cost) == ("partially_shipped", "DHL", 9)
    move = store.tables.moves[-1]
    assert (move.source, move.destination, move.reference_type, move.reference_id) == (
        WH1,
        CUSTOMER,
        "shipment",
        first.id,
    )

    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=2, CUP=2))
    stored = store.tables.sales_orders[order.id]
    assert stored.status == SalesOrderStatus.SHIPPED
    assert [(line.shipped, line.reserved) for line in stored.lines] == [(5, 0), (2, 0)]
    assert (level(store, "TEA").on_hand, level(store, "TEA").reserved) == (5, 0)
    assert (level(store, "CUP").on_hand, level(store, "CUP").reserved) == (8, 0)
    with pytest.raises(InvalidTransition):
        await store.run(handlers.ship_sales_order, order.id, shipment(TEA=1))


async def test_shipping_more_than_ordered_is_refused(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 3)
    await buy(store, "CUP", 10, 3)
    order = await sell(store, {"TEA": 5, "CUP": 1})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=4))
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.ship_sales_order, order.id, shipment(CUP=1, TEA=2))
    assert error.value.field == "lines[1].qty"
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.ship_sales_order, order.id, shipment(POT=1))
    assert error.value.field == "lines[0].sku"
    assert level(store, "TEA").on_hand == 6


async def test_an_order_on_hold_does_not_ship(store: FakeStore) -> None:
    await buy(store, "TEA", 20, 3)
    held = await sell(store, {"TEA": 20}, customer=TIGHT)
    with pytest.raises(InvalidTransition):
        await store.run(handlers.ship_sales_order, held.id, shipment(TEA=1))


async def test_cancel_releases_only_the_unshipped_reservation(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 3)
    order = await sell(store, {"TEA": 6})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=2))
    mark = len(store.events)
    cancelled = await store.run(handlers.cancel_sales_order, order.id)
    assert cancelled.status == SalesOrderStatus.CANCELLED
    tea = level(store, "TEA")
    assert (tea.on_hand, tea.reserved, tea.available) == (8, 0, 8)
    assert event_types(store, mark) == ["sales_order.cancelled", "stock.level_changed"]
    with pytest.raises(InvalidTransition):
        await store.run(handlers.cancel_sales_order, order.id)


async def test_a_shipped_order_cannot_be_cancelled(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 3)
    order = await sell(store, {"TEA": 2})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=2))
    with pytest.raises(InvalidTransition):
        await store.run(handlers.cancel_sales_order, order.id)


async def test_a_restocked_return_comes_back_at_the_cost_it_left_with(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 4)
    order = await sell(store, {"TEA": 5})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=5))  # COGS 20, 5 left worth 20
    await buy(store, "TEA", 5, 10)  # average now (20 + 50) / 10 = 7
    mark = len(store.events)
    ret = await store.run(handlers.return_sales_order, order.id, returned(True, TEA=2))
    assert ret.lines[0].cost == 8
    move = store.tables.moves[-1]
    assert (move.source, move.destination, move.unit_cost, move.value) == (CUSTOMER, WH1, 4, 8)
    assert level(store, "TEA").on_hand == 12
    v = valuation(store, "TEA")
    assert (v.quantity, v.value) == (12, 78)
    assert event_types(store, mark) == ["return.received", "stock.moved", "stock.level_changed", "journal.posted"]
    entry = store.tables.journal[-1]
    assert (entry.source_type, entry.source_id) == ("return", ret.id)
    assert [(x.role, x.debit, x.credit) for x in entry.lines] == [("inventory", 8, 0), ("cogs", 0, 8)]


async def test_a_scrapped_return_goes_to_inventory_loss_and_leaves_stock_alone(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 4)
    order = await sell(store, {"TEA": 5})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=5))
    mark = len(store.events)
    ret = await store.run(handlers.return_sales_order, order.id, returned(False, TEA=2))
    assert ret.lines[0].cost == 8
    move = store.tables.moves[-1]
    assert (move.source, move.destination, move.qty) == (CUSTOMER, INVENTORY_LOSS, 2)
    assert level(store, "TEA").on_hand == 5
    v = valuation(store, "TEA")
    assert (v.quantity, v.value) == (5, 20)
    assert event_types(store, mark) == ["return.received", "stock.moved", "journal.posted"]
    entry = store.tables.journal[-1]
    assert [(x.role, x.debit, x.credit) for x in entry.lines] == [("inventory_loss", 8, 0), ("cogs", 0, 8)]


async def test_returning_more_than_was_shipped_is_refused(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 4)
    order = await sell(store, {"TEA": 5})
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.return_sales_order, order.id, returned(True, TEA=1))
    assert error.value.field == "lines[0].qty"
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=3))
    await store.run(handlers.return_sales_order, order.id, returned(False, TEA=2))
    version = store.version
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.return_sales_order, order.id, returned(True, TEA=2))
    assert error.value.field == "lines[0].qty"
    assert store.version == version
    assert level(store, "TEA").on_hand == 7


async def test_a_channel_order_is_taken_once(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 4)
    await sell(store, {"TEA": 1}, channel="shopify", external_id="1001")
    with pytest.raises(DuplicateRecord) as error:
        await sell(store, {"TEA": 1}, channel="shopify", external_id="1001")
    assert error.value.field == "external_id"
    assert level(store, "TEA").reserved == 1
    # The same number from another channel is another order.
    await sell(store, {"TEA": 1}, channel="woo", external_id="1001")
    assert len(store.tables.sales_orders) == 2


@pytest.mark.parametrize(
    ("customer", "warehouse", "skus", "field"),
    [
        ("NOBODY", WH1, ["TEA"], "customer"),
        (SHOP, "NOWHERE", ["TEA"], "warehouse"),
        (SHOP, WH1, ["TEA", "GHOST"], "lines[1].sku"),
        (SHOP, WH1, ["TEA", "TEA"], "lines[1].sku"),
    ],
)
async def test_an_order_naming_unknown_records_is_refused(
    store: FakeStore, customer: str, warehouse: str, skus: list[str], field: str
) -> None:
    await buy(store, "TEA", 10, 4)
    cmd = NewSalesOrder(
        customer=customer, warehouse=warehouse, lines=[SalesLine(sku=s, qty=D(1), unit_price=D(1)) for s in skus]
    )
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.create_sales_order, cmd)
    assert error.value.field == field
    assert not store.tables.sales_orders


async def test_an_order_total_is_kept_to_the_six_places_every_amount_is_stored_with(store: FakeStore) -> None:
    await buy(store, "TEA", 1, 1)
    order = await sell(store, {"TEA": "0.001"}, price="1.234567")  # 0.001234567
    assert order.total == D("0.001235")
    assert store.outbox[-2].type == "sales_order.confirmed"
    assert store.outbox[-2].payload["total"] == "0.001235"


async def test_a_channel_order_short_of_stock_is_kept_on_hold_with_nothing_reserved(store: FakeStore) -> None:
    await buy(store, "TEA", 5, 2)
    command = NewSalesOrder(
        customer=SHOP,
        warehouse=WH1,
        channel="shop",
        external_id="#1",
        lines=[SalesLine(sku="TEA", qty=D(6), unit_price=D(5))],
    )
    order = await store.run(lambda uow: handlers.create_sales_order(command, uow, hold_when_short=True))
    assert order.status == SalesOrderStatus.ON_HOLD and "waiting for stock" in (order.hold_reason or "")
    assert level(store, "TEA").reserved == 0
    with pytest.raises(InsufficientStock):
        await store.run(lambda uow: handlers.approve_sales_order(order.id, uow))
    await buy(store, "TEA", 1, 2)
    approved = await store.run(lambda uow: handlers.approve_sales_order(order.id, uow))
    assert approved.status == SalesOrderStatus.CONFIRMED and level(store, "TEA").reserved == 6


async def test_reducing_a_line_releases_the_units_taken_off(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 10, 1)
    order = await sell(store, {"TEA": 3, "CUP": 2})
    mark = len(store.events)
    reduced = await store.run(handlers.reduce_sales_order, order.id, reduction(TEA=2))
    assert reduced.status == SalesOrderStatus.CONFIRMED and reduced.total == 40
    assert [(line.qty, line.reserved) for line in reduced.lines] == [(2, 2), (2, 2)]
    assert (level(store, "TEA").reserved, level(store, "TEA").available) == (2, 8)
    assert event_types(store, mark) == ["sales_order.reduced", "stock.level_changed"]
    event = store.events[mark]
    assert isinstance(event, SalesOrderReduced)
    assert (event.status, event.total, [(line.sku, line.qty, line.removed) for line in event.lines]) == (
        "confirmed",
        40,
        [("TEA", 2, 1)],
    )
    with pytest.raises(InvalidInput):  # shipping the cancelled unit is refused
        await store.run(handlers.ship_sales_order, order.id, shipment(TEA=3))


async def test_a_line_is_never_reduced_below_what_has_shipped_nor_raised(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 10, 1)
    order = await sell(store, {"TEA": 5, "CUP": 2})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=3))
    version, mark = store.version, len(store.events)
    for bad, field in (
        (reduction(CUP=1, TEA=2), "lines[1].qty"),  # below the 3 shipped, after a good line
        (reduction(TEA=5), "lines[0].qty"),  # not a reduction
        (reduction(TEA=6), "lines[0].qty"),
        (reduction(POT=0), "lines[0].sku"),
    ):
        with pytest.raises(InvalidInput) as error:
            await store.run(handlers.reduce_sales_order, order.id, bad)
        assert error.value.field == field
    assert store.version == version and len(store.events) == mark
    assert [(line.qty, line.reserved) for line in store.tables.sales_orders[order.id].lines] == [(5, 2), (2, 2)]
    assert (level(store, "TEA").reserved, level(store, "CUP").reserved) == (2, 2)


async def test_an_order_whose_every_remaining_unit_shipped_is_shipped(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 10, 1)
    order = await sell(store, {"TEA": 5, "CUP": 2})
    await store.run(handlers.ship_sales_order, order.id, shipment(TEA=3))
    reduced = await store.run(handlers.reduce_sales_order, order.id, reduction(TEA=3, CUP=0))
    assert reduced.status == SalesOrderStatus.SHIPPED
    assert [(line.qty, line.shipped, line.reserved) for line in reduced.lines] == [(3, 3, 0), (0, 0, 0)]
    assert (level(store, "TEA").reserved, level(store, "CUP").reserved) == (0, 0)
    with pytest.raises(InvalidTransition):
        await store.run(handlers.reduce_sales_order, order.id, reduction(TEA=3))


async def test_an_order_reduced_to_nothing_is_cancelled(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 10, 1)
    order = await sell(store, {"TEA": 3, "CUP": 2})
    await store.run(handlers.reduce_sales_order, order.id, reduction(CUP=0))
    mark = len(store.events)
    cancelled = await store.run(handlers.reduce_sales_order, order.id, reduction(TEA=0))
    assert cancelled.status == SalesOrderStatus.CANCELLED and cancelled.total == 0
    assert (level(store, "TEA").reserved, level(store, "CUP").reserved) == (0, 0)
    assert event_types(store, mark) == ["sales_order.reduced", "sales_order.cancelled", "stock.level_changed"]


async def test_an_order_on_hold_is_reduced_with_nothing_to_release(store: FakeStore) -> None:
    await buy(store, "TEA", 20, 2)
    held = await sell(store, {"TEA": 15}, customer=TIGHT, price=10)  # 150 > 100
    assert held.status == SalesOrderStatus.ON_HOLD
    reduced = await store.run(handlers.reduce_sales_order, held.id, reduction(TEA=8))
    assert (reduced.status, reduced.total, reduced.lines[0].reserved) == (SalesOrderStatus.ON_HOLD, 80, 0)
    assert level(store, "TEA").reserved == 0
    approved = await store.run(handlers.approve_sales_order, held.id)
    assert approved.status == SalesOrderStatus.CONFIRMED and level(store, "TEA").reserved == 8
