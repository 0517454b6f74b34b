"""Pure tests of the ledger: moving-average valuation and the stock book."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.core.errors import Conflict, InsufficientStock, Shortage
from hub.core.ledger import CUSTOMER, INVENTORY_LOSS, SUPPLIER, TRANSIT, Reference, StockBook, StockLevel, Valuation

REF = Reference("test", 1)


def D(value: str | int) -> Decimal:
    return Decimal(value)


def book(*levels: StockLevel, valuations: tuple[Valuation, ...] = ()) -> StockBook:
    return StockBook(
        levels={(lv.sku, lv.warehouse): lv for lv in levels},
        valuations={v.sku: v for v in valuations},
    )


# -- Valuation ------------------------------------------------------------------------------


def test_average_cost_moves_with_each_receipt() -> None:
    v = Valuation(sku="TEA")
    assert v.receive(D(10), D(4)) == 40
    assert v.average_cost == 4
    assert v.receive(D(30), D(8)) == 240
    assert (v.quantity, v.value, v.average_cost) == (40, 280, 7)


def test_issue_takes_value_at_average_cost_without_moving_it() -> None:
    v = Valuation(sku="TEA")
    v.receive(D(10), D(4))
    v.receive(D(10), D(6))
    assert v.issue(D(4)) == 20
    assert (v.quantity, v.value, v.average_cost) == (16, 80, 5)


def test_last_unit_out_takes_whatever_value_rounding_left() -> None:
    v = Valuation(sku="TEA")
    v.receive(D(1), D(1))
    v.receive(D(2), D(0))
    assert v.average_cost == D("0.333333")
    costs = [v.issue(D(1)) for _ in range(3)]
    assert costs == [D("0.333333"), D("0.333333"), D("0.333334")]
    assert sum(costs) == 1
    assert (v.quantity, v.value) == (0, 0)


def test_issue_never_drives_value_negative() -> None:
    v = Valuation(sku="TEA", quantity=D(3), value=D("0.000001"), average_cost=D(1))
    assert v.issue(D(1)) == D("0.000001")
    assert v.value == 0


def test_receipt_values_are_rounded_half_even_to_six_places() -> None:
    v = Valuation(sku="TEA")
    assert v.receive(D("0.5"), D("0.0000010")) == D("0.000000")  # 0.0000005 rounds to even
    assert v.receive(D("1.5"), D("0.000001")) == D("0.000002")  # 0.0000015 rounds to even


# -- StockBook: reservations ------------------------------------------------------------------


def test_reserve_all_is_all_or_nothing_and_names_each_short_line() -> None:
    b = book(
        StockLevel("TEA", "WH1", on_hand=D(5)),
        StockLevel("CUP", "WH1", on_hand=D(3), reserved=D(1)),
        StockLevel("POT", "WH1", on_hand=D(1), reserved=D(2)),
    )
    with pytest.raises(InsufficientStock) as error:
        b.reserve_all("WH1", [("TEA", D(5)), ("CUP", D(3)), ("POT", D(1))])
    assert error.value.shortages == [
        Shortage("CUP", "WH1", requested=D(3), available=D(2), line=1),
        # Over-reserved stock shows as nothing available, never a negative figure.
        Shortage("POT", "WH1", requested=D(1), available=D(0), line=2),
    ]
    assert [b.level(s, "WH1").reserved for s in ("TEA", "CUP", "POT")] == [0, 1, 2]
    assert not b.touched


def test_reserve_all_reserves_every_line_when_all_fit() -> None:
    b = book(StockLevel("TEA", "WH1", on_hand=D(5)), StockLevel("CUP", "WH1", on_hand=D(3)))
    b.reserve_all("WH1", [("TEA", D(5)), ("CUP", D("2.5"))])
    assert b.level("TEA", "WH1").available == 0
    assert b.level("CUP", "WH1").available == D("0.5")
    assert set(b.touched) == {("TEA", "WH1"), ("CUP", "WH1")}
    assert not b.moves


def test_release_gives_reserved_stock_back() -> None:
    b = book(StockLevel("TEA", "WH1", on_hand=D(5), reserved=D(4)))
    b.release("TEA", "WH1", D(3))
    assert b.level("TEA", "WH1").available == 4


# -- StockBook: moves --------------------------------------------------------------------------


def test_receive_moves_stock_in_from_the_supplier_at_its_cost() -> None:
    b = book(StockLevel("TEA", "WH1"), valuations=(Valuation("TEA"),))
    move = b.receive("TEA", "WH1", D(4), D("2.5"), REF)
    assert (move.source, move.destination, move.qty, move.unit_cost, move.value) == (SUPPLIER, "WH1", 4, D("2.5"), 10)
    assert (move.reference_type, move.reference_id) == ("test", 1)
    assert b.level("TEA", "WH1").on_hand == 4
    assert b.valuation("TEA").value == 10


def test_ship_consumes_the_reservation_and_costs_goods_at_average() -> None:
    b = book(
        StockLevel("TEA", "WH1", on_hand=D(10), reserved=D(4)),
        valuations=(Valuation("TEA", quantity=D(10), value=D(50), average_cost=D(5)),),
    )
    move = b.ship("TEA", "WH1", D(3), REF)
    assert (move.source, move.destination, move.value, move.unit_cost) == ("WH1", CUSTOMER, 15, 5)
    level = b.level("TEA", "WH1")
    assert (level.on_hand, level.reserved) == (7, 1)
    assert b.valuation("TEA").quantity == 7


def test_ship_more_than_on_hand_is_refused() -> None:
    b = book(StockLevel("TEA", "WH1", on_hand=D(2), reserved=D(2)), valuations=(Valuation("TEA", D(2), D(2), D(1)),))
    with pytest.raises(InsufficientStock) as error:
        b.ship("TEA", "WH1", D(3), REF)
    assert error.value.shortages[0].available == 2
    assert b.level("TEA", "WH1").on_hand == 2
    assert not b.moves


def test_transfer_out_cannot_take_reserved_stock() -> None:
    b = book(StockLevel("TEA", "WH1", on_hand=D(10), reserved=D(8)), valuations=(Valuation("TEA", D(10), D(10), D(1)),))
    with pytest.raises(InsufficientStock) as error:
        b.send_to_transit("TEA", "WH1", "WH2", D(3), REF)
    assert error.value.shortages[0].available == 2
    assert b.level("TEA", "WH2").in_transit == 0


def test_transit_keeps_the_goods_and_their_value_in_the_books() -> None:
    v = Valuation("TEA", quantity=D(10), value=D(30), average_cost=D(3))
    b = book(StockLevel("TEA", "WH1", on_hand=D(10)), StockLevel("TEA", "WH2"), valuations=(v,))
    out = b.send_to_transit("TEA", "WH1", "WH2", D(4), REF)
    assert (out.source, out.destination, out.value) == ("WH1", TRANSIT, 12)
    assert (b.level("TEA", "WH1").on_hand, b.level("TEA", "WH2").in_transit) == (6, 4)
    arrived = b.arrive_from_transit("TEA", "WH2", D(4), out.value, REF)
    assert (arrived.source, arrived.destination, arrived.value) == (TRANSIT, "WH2", 12)
    wh2 = b.level("TEA", "WH2")
    assert (wh2.on_hand, wh2.in_transit) == (4, 0)
    assert (v.quantity, v.value) == (10, 30)


def test_return_to_stock_re_enters_the_books_at_the_cost_it_left_with() -> None:
    v = Valuation("TEA", quantity=D(10), value=D(100), average_cost=D(10))
    b = book(StockLevel("TEA", "WH1", on_hand=D(10)), valuations=(v,))
    move = b.take_back("TEA", "WH1", D(2), D(4), restock=True, ref=REF)
    assert (move.source, move.destination, move.value) == (CUSTOMER, "WH1", 8)
    assert (v.quantity, v.value, v.average_cost) == (12, 108, 9)
    assert b.level("TEA", "WH1").on_hand == 12


def test_scrapped_return_goes_to_inventory_loss_and_leaves_stock_alone() -> None:
    v = Valuation("TEA", quantity=D(10), value=D(100), average_cost=D(10))
    b = book(StockLevel("TEA", "WH1", on_hand=D(10)), valuations=(v,))
    move = b.take_back("TEA", "WH1", D(2), D(4), restock=False, ref=REF)
    assert (move.source, move.destination, move.value) == (CUSTOMER, INVENTORY_LOSS, 8)
    assert b.level("TEA", "WH1").on_hand == 10
    assert (v.quantity, v.value) == (10, 100)
    assert not b.touched


def test_count_posts_the_variance_both_ways_at_average_cost() -> None:
    v = Valuation("TEA", quantity=D(10), value=D(20), average_cost=D(2))
    b = book(StockLevel("TEA", "WH1", on_hand=D(10)), valuations=(v,))
    gain = b.count("TEA", "WH1", D(13), REF)
    assert gain is not None
    assert (gain.source, gain.destination, gain.qty, gain.value) == (INVENTORY_LOSS, "WH1", 3, 6)
    loss = b.count("TEA", "WH1", D(9), REF)
    assert loss is not None
    assert (loss.source, loss.destination, loss.qty, loss.value) == ("WH1", INVENTORY_LOSS, 4, 8)
    assert b.level("TEA", "WH1").on_hand == 9
    assert (v.quantity, v.value) == (9, 18)


def test_count_that_matches_posts_nothing() -> None:
    b = book(StockLevel("TEA", "WH1", on_hand=D(10)), valuations=(Valuation("TEA", D(10), D(10), D(1)),))
    assert b.count("TEA", "WH1", D(10), REF) is None
    assert not b.moves


def test_count_below_reserved_is_refused() -> None:
    b = book(StockLevel("TEA", "WH1", on_hand=D(10), reserved=D(6)), valuations=(Valuation("TEA", D(10), D(10), D(1)),))
    with pytest.raises(Conflict):
        b.count("TEA", "WH1", D(5), REF)
    assert b.level("TEA", "WH1").on_hand == 10
    assert not b.moves
