"""Purchase orders and receipts: the status flow, inspection, and moving-average cost."""

from __future__ import annotations

import pytest

from hub.core import handlers
from hub.core.commands import NewPurchaseOrder, NewReceipt, NewShipment, PurchaseLine, ReceiptLineIn, ShipLine
from hub.core.errors import InvalidInput, InvalidTransition, NotFound
from hub.core.events import ReceiptPosted, StockMoved
from hub.core.ledger import SUPPLIER
from hub.core.purchasing import PurchaseOrderStatus
from tests.fakes import FakeStore
from tests.unit.support import SUPPLIER as ACME
from tests.unit.support import WH1, D, buy, event_types, level, order_purchase, sell, valuation


def receipt(**lines: tuple[int | str, int | str]) -> NewReceipt:
    """``receipt(TEA=(accepted, rejected))``."""
    return NewReceipt(lines=[ReceiptLineIn(sku=s, accepted=D(a), rejected=D(r)) for s, (a, r) in lines.items()])


async def on_order(store: FakeStore, sku: str) -> object:
    async with store.reader() as uow:
        return (await uow.purchase_orders.on_order([sku]))[sku]


async def test_purchase_order_goes_draft_approved_partially_received_received(store: FakeStore) -> None:
    mark = len(store.events)
    order = await order_purchase(store, {"TEA": (10, 2), "CUP": (5, 3)}, approve=False)
    assert order.status == PurchaseOrderStatus.DRAFT
    assert order.total == 35
    assert event_types(store, mark) == ["purchase_order.created"]

    mark = len(store.events)
    order = await store.run(handlers.approve_purchase_order, order.id)
    assert order.status == PurchaseOrderStatus.APPROVED
    assert event_types(store, mark) == ["purchase_order.approved"]

    mark = len(store.events)
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(4, 0)))
    assert store.tables.purchase_orders[order.id].status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert level(store, "TEA").on_hand == 4
    assert event_types(store, mark) == [
        "purchase_order.receipt_posted",
        "stock.moved",
        "stock.level_changed",
        "journal.posted",
    ]
    posted = store.events[mark]
    assert isinstance(posted, ReceiptPosted) and posted.status == "partially_received"

    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(6, 0), CUP=(5, 0)))
    assert store.tables.purchase_orders[order.id].status == PurchaseOrderStatus.RECEIVED
    assert (level(store, "TEA").on_hand, level(store, "CUP").on_hand) == (10, 5)
    assert await on_order(store, "TEA") == 0


async def test_receipt_moves_goods_from_the_supplier_at_the_order_cost(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, "2.5")})
    mark = len(store.events)
    posted = await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(10, 0)))
    (move,) = store.tables.moves
    assert (move.sku, move.qty, move.source, move.destination) == ("TEA", 10, SUPPLIER, WH1)
    assert (move.unit_cost, move.value) == (D("2.5"), 25)
    assert (move.reference_type, move.reference_id) == ("receipt", posted.id)
    moved = store.events[mark + 1]
    assert isinstance(moved, StockMoved) and moved.move_id == move.id


async def test_receiving_a_draft_is_refused(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, 2)}, approve=False)
    version = store.version
    with pytest.raises(InvalidTransition):
        await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(10, 0)))
    assert store.version == version
    assert level(store, "TEA").on_hand == 0


async def test_accepting_more_than_outstanding_is_refused_and_names_the_field(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, 2)})
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(7, 0)))
    version = store.version
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(4, 0)))
    assert error.value.field == "lines[0].accepted"
    assert store.version == version
    stored = store.tables.purchase_orders[order.id]
    assert (stored.lines[0].accepted, stored.status) == (7, PurchaseOrderStatus.PARTIALLY_RECEIVED)
    assert level(store, "TEA").on_hand == 7


async def test_a_bad_second_line_refuses_the_whole_receipt(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, 2), "CUP": (5, 1)})
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(10, 0), CUP=(3, 3)))
    assert error.value.field == "lines[1].rejected"
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(10, 0), POT=(1, 0)))
    assert error.value.field == "lines[1].sku"
    assert store.tables.purchase_orders[order.id].status == PurchaseOrderStatus.APPROVED
    assert not store.tables.moves


async def test_rejected_goods_stay_outstanding(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, 2)})
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(6, 4)))
    stored = store.tables.purchase_orders[order.id]
    assert stored.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert (stored.lines[0].accepted, stored.lines[0].rejected, stored.lines[0].outstanding) == (6, 4, 4)
    assert level(store, "TEA").on_hand == 6
    assert await on_order(store, "TEA") == 4
    # The replacement arrives and closes the order.
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(4, 0)))
    assert store.tables.purchase_orders[order.id].status == PurchaseOrderStatus.RECEIVED
    assert level(store, "TEA").on_hand == 10


async def test_a_receipt_of_only_rejects_moves_no_stock(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, 2)})
    mark = len(store.events)
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(0, 10)))
    assert store.tables.purchase_orders[order.id].status == PurchaseOrderStatus.APPROVED
    assert not store.tables.moves
    assert event_types(store, mark) == ["purchase_order.receipt_posted"]


async def test_moving_average_cost_across_receipts_and_cost_of_goods_sold(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 4)
    await buy(store, "TEA", 10, 6)
    v = valuation(store, "TEA")
    assert (v.quantity, v.value, v.average_cost) == (20, 100, 5)

    order = await sell(store, {"TEA": 4})
    shipment = await store.run(handlers.ship_sales_order, order.id, NewShipment(lines=[ShipLine(sku="TEA", qty=D(4))]))
    assert shipment.lines[0].cost == 20
    assert store.tables.sales_orders[order.id].lines[0].cogs == 20
    assert store.tables.moves[-1].value == 20
    v = valuation(store, "TEA")
    assert (v.quantity, v.value, v.average_cost) == (16, 80, 5)

    # A dearer receipt lifts the average only for what is left and what comes in.
    await buy(store, "TEA", 4, 15)
    assert valuation(store, "TEA").average_cost == 7


async def test_cancel_takes_the_outstanding_quantity_off_order(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, 2)})
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(3, 0)))
    assert await on_order(store, "TEA") == 7
    mark = len(store.events)
    cancelled = await store.run(handlers.cancel_purchase_order, order.id)
    assert cancelled.status == PurchaseOrderStatus.CANCELLED
    assert event_types(store, mark) == ["purchase_order.cancelled"]
    assert await on_order(store, "TEA") == 0
    with pytest.raises(InvalidTransition):
        await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(1, 0)))
    with pytest.raises(InvalidTransition):
        await store.run(handlers.cancel_purchase_order, order.id)


async def test_approving_twice_and_cancelling_a_received_order_are_refused(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (1, 2)})
    with pytest.raises(InvalidTransition):
        await store.run(handlers.approve_purchase_order, order.id)
    await store.run(handlers.receive_purchase_order, order.id, receipt(TEA=(1, 0)))
    with pytest.raises(InvalidTransition):
        await store.run(handlers.cancel_purchase_order, order.id)


async def test_an_order_that_does_not_exist_is_not_found(store: FakeStore) -> None:
    with pytest.raises(NotFound):
        await store.run(handlers.approve_purchase_order, 999)
    with pytest.raises(NotFound):
        await store.run(handlers.receive_purchase_order, 999, receipt(TEA=(1, 0)))


@pytest.mark.parametrize(
    ("supplier", "warehouse", "skus", "field"),
    [
        ("NOPE", WH1, ["TEA"], "supplier"),
        (ACME, "NOWHERE", ["TEA"], "warehouse"),
        (ACME, WH1, ["TEA", "GHOST"], "lines[1].sku"),
        (ACME, WH1, ["TEA", "CUP", "TEA"], "lines[2].sku"),
    ],
)
async def test_a_purchase_order_naming_unknown_records_is_refused(
    store: FakeStore, supplier: str, warehouse: str, skus: list[str], field: str
) -> None:
    cmd = NewPurchaseOrder(
        supplier=supplier,
        warehouse=warehouse,
        lines=[PurchaseLine(sku=sku, qty=D(1), unit_cost=D(1)) for sku in skus],
    )
    version = store.version
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.create_purchase_order, cmd)
    assert error.value.field == field
    assert store.version == version
    assert not store.tables.purchase_orders
