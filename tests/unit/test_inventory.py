"""Transfers between warehouses and stock counts."""

from __future__ import annotations

import pytest

from hub.core import handlers
from hub.core.commands import CountLine, NewStockCount, NewTransfer, TransferLineIn
from hub.core.errors import Conflict, InsufficientStock, InvalidInput, InvalidTransition, NotFound
from hub.core.events import StockCountPosted, StockLevelChanged
from hub.core.ledger import INVENTORY_LOSS, TRANSIT
from hub.core.transfers import TransferStatus
from tests.fakes import FakeStore
from tests.unit.support import WH1, WH2, D, buy, event_types, level, sell, valuation


def transfer(from_warehouse: str = WH1, to_warehouse: str = WH2, **lines: int | str) -> NewTransfer:
    return NewTransfer(
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        lines=[TransferLineIn(sku=sku, qty=D(qty)) for sku, qty in lines.items()],
    )


def count(warehouse: str = WH1, **lines: int | str) -> NewStockCount:
    return NewStockCount(warehouse=warehouse, lines=[CountLine(sku=s, counted=D(c)) for s, c in lines.items()])


# -- transfers ------------------------------------------------------------------------------


async def test_a_transfer_is_in_transit_at_the_destination_until_received(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 3)
    mark = len(store.events)
    moved = await store.run(handlers.create_transfer, transfer(TEA=4))
    assert moved.status == TransferStatus.IN_TRANSIT
    wh1, wh2 = level(store, "TEA", WH1), level(store, "TEA", WH2)
    assert (wh1.on_hand, wh1.in_transit) == (6, 0)
    assert (wh2.on_hand, wh2.in_transit, wh2.available) == (0, 4, 0)
    out = store.tables.moves[-1]
    assert (out.source, out.destination, out.qty, out.value) == (WH1, TRANSIT, 4, 12)
    assert event_types(store, mark) == ["transfer.shipped", "stock.moved", "stock.level_changed", "stock.level_changed"]

    mark = len(store.events)
    received = await store.run(handlers.receive_transfer, moved.id)
    assert received.status == TransferStatus.RECEIVED
    wh2 = level(store, "TEA", WH2)
    assert (wh2.on_hand, wh2.in_transit, wh2.available) == (4, 0, 4)
    arrived = store.tables.moves[-1]
    assert (arrived.source, arrived.destination, arrived.value) == (TRANSIT, WH2, 12)
    assert event_types(store, mark) == ["transfer.received", "stock.moved", "stock.level_changed"]
    # Goods in transit never left the books.
    v = valuation(store, "TEA")
    assert (v.quantity, v.value) == (10, 30)

    with pytest.raises(InvalidTransition):
        await store.run(handlers.receive_transfer, moved.id)


async def test_a_transfer_cannot_take_stock_promised_to_customers(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 3)
    await buy(store, "CUP", 1, 3)
    await sell(store, {"TEA": 7})
    with pytest.raises(InsufficientStock) as error:
        await store.run(handlers.create_transfer, transfer(CUP=1, TEA=4))
    (short,) = error.value.shortages
    assert (short.sku, short.available, short.line) == ("TEA", 3, 1)
    assert not store.tables.transfers
    assert (level(store, "TEA").on_hand, level(store, "CUP").on_hand) == (10, 1)


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        (transfer("NOWHERE", WH2, TEA=1), "from_warehouse"),
        (transfer(WH1, "NOWHERE", TEA=1), "to_warehouse"),
        (transfer(WH1, WH2, TEA=1, GHOST=1), "lines[1].sku"),
    ],
)
async def test_a_transfer_naming_unknown_records_is_refused(store: FakeStore, cmd: NewTransfer, field: str) -> None:
    await buy(store, "TEA", 10, 3)
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.create_transfer, cmd)
    assert error.value.field == field


async def test_receiving_an_unknown_transfer_is_not_found(store: FakeStore) -> None:
    with pytest.raises(NotFound):
        await store.run(handlers.receive_transfer, 42)


# -- stock counts -----------------------------------------------------------------------------


async def test_a_count_posts_gains_and_losses_against_inventory_loss(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 10, 3)
    await buy(store, "POT", 5, 1)
    mark = len(store.events)
    posted = await store.run(handlers.post_stock_count, count(TEA=12, CUP=7, POT=5))
    assert [(line.expected, line.variance, line.value) for line in posted.lines] == [
        (10, 2, 4),
        (10, -3, -9),
        (5, 0, 0),
    ]
    assert (level(store, "TEA").on_hand, level(store, "CUP").on_hand, level(store, "POT").on_hand) == (12, 7, 5)
    gain, loss = store.tables.moves[-2:]
    assert (gain.sku, gain.source, gain.destination, gain.qty, gain.value) == ("TEA", INVENTORY_LOSS, WH1, 2, 4)
    assert (loss.sku, loss.source, loss.destination, loss.qty, loss.value) == ("CUP", WH1, INVENTORY_LOSS, 3, 9)
    assert (valuation(store, "TEA").value, valuation(store, "CUP").value) == (24, 21)

    types = event_types(store, mark)
    assert types[:3] == ["stock_count.posted", "stock.moved", "stock.moved"]
    changed = {e.sku for e in store.events[mark + 3 :] if isinstance(e, StockLevelChanged)}
    assert {"TEA", "CUP"} <= changed
    event = store.events[mark]
    assert isinstance(event, StockCountPosted)
    assert [(v.sku, v.variance, v.value) for v in event.variances] == [("TEA", 2, 4), ("CUP", -3, -9)]


async def test_counting_stock_never_seen_there_posts_it_at_average_cost(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await store.run(handlers.post_stock_count, count(WH2, TEA=3))
    assert level(store, "TEA", WH2).on_hand == 3
    v = valuation(store, "TEA")
    assert (v.quantity, v.value) == (13, 26)


async def test_a_count_below_what_is_reserved_is_refused_as_a_whole(store: FakeStore) -> None:
    await buy(store, "TEA", 10, 2)
    await buy(store, "CUP", 10, 2)
    await sell(store, {"CUP": 6})
    version = store.version
    with pytest.raises(Conflict) as error:
        await store.run(handlers.post_stock_count, count(TEA=4, CUP=5))
    assert error.value.field == "lines[1].counted"
    assert store.version == version
    assert (level(store, "TEA").on_hand, level(store, "CUP").on_hand) == (10, 10)
    # Counting down to exactly what is reserved is fine.
    await store.run(handlers.post_stock_count, count(CUP=6))
    cup = level(store, "CUP")
    assert (cup.on_hand, cup.reserved, cup.available) == (6, 6, 0)


async def test_a_count_in_an_unknown_warehouse_is_refused(store: FakeStore) -> None:
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.post_stock_count, count("NOWHERE", TEA=1))
    assert error.value.field == "warehouse"
