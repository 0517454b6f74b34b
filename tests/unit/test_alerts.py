"""Reorder alerts: low stock with a suggested purchase, overstock, and clearing."""

from __future__ import annotations

from decimal import Decimal

from hub.core import handlers
from hub.core.alerts import AlertKind, ReorderAlert
from hub.core.commands import NewProduct, NewReceipt, ProductChanges, ReceiptLineIn
from hub.core.events import ReorderAlertCleared, ReorderAlertRaised
from tests.fakes import FakeStore
from tests.unit.support import WH2, D, buy, event_types, order_purchase, sell


def active(store: FakeStore, sku: str) -> ReorderAlert | None:
    alerts = [a for a in store.tables.alerts if a.sku == sku and a.cleared_at is None]
    assert len(alerts) <= 1
    return alerts[0] if alerts else None


async def banded(store: FakeStore, sku: str, point: int | None, ceiling: int | None) -> None:
    reorder_point = None if point is None else Decimal(point)
    reorder_max = None if ceiling is None else Decimal(ceiling)
    await store.run(
        handlers.create_product, NewProduct(sku=sku, name=sku, reorder_point=reorder_point, reorder_max=reorder_max)
    )


async def test_low_stock_suggests_a_purchase_up_to_reorder_max_net_of_what_is_on_order(store: FakeStore) -> None:
    mark = len(store.events)
    await banded(store, "LAMP", 10, 50)
    assert event_types(store, mark) == ["product.upserted", "reorder_alert.raised"]
    raised = store.events[-1]
    assert isinstance(raised, ReorderAlertRaised)
    assert (raised.kind, raised.available, raised.suggested_qty) == ("low_stock", 0, 50)

    order = await order_purchase(store, {"LAMP": (20, 3)})
    alert = active(store, "LAMP")
    assert alert is not None
    assert (alert.kind, alert.on_order, alert.suggested_qty) == (AlertKind.LOW_STOCK, 20, 30)

    await store.run(
        handlers.receive_purchase_order, order.id, NewReceipt(lines=[ReceiptLineIn(sku="LAMP", accepted=D(5))])
    )
    alert = active(store, "LAMP")
    assert alert is not None
    assert (alert.available, alert.on_order, alert.suggested_qty) == (5, 15, 30)
    # The same alert is kept current: no second "raised".
    assert event_types(store, mark).count("reorder_alert.raised") == 1

    mark = len(store.events)
    await store.run(
        handlers.receive_purchase_order, order.id, NewReceipt(lines=[ReceiptLineIn(sku="LAMP", accepted=D(15))])
    )
    assert active(store, "LAMP") is None
    cleared = [e for e in store.events[mark:] if isinstance(e, ReorderAlertCleared)]
    assert [(e.kind, e.available) for e in cleared] == [("low_stock", 20)]


async def test_suggestion_never_goes_below_zero(store: FakeStore) -> None:
    await banded(store, "LAMP", 10, 50)
    await order_purchase(store, {"LAMP": (80, 3)})
    alert = active(store, "LAMP")
    assert alert is not None and alert.suggested_qty == 0


async def test_without_a_reorder_max_the_suggestion_fills_up_to_the_point(store: FakeStore) -> None:
    await banded(store, "LAMP", 10, None)
    await buy(store, "LAMP", 3, 1)
    alert = active(store, "LAMP")
    assert alert is not None and (alert.available, alert.suggested_qty) == (3, 7)


async def test_overstock_is_raised_above_the_max_and_clears_when_reservations_bring_it_back(store: FakeStore) -> None:
    await banded(store, "LAMP", None, 50)
    assert active(store, "LAMP") is None
    await buy(store, "LAMP", 60, 1)
    alert = active(store, "LAMP")
    assert alert is not None and (alert.kind, alert.available, alert.suggested_qty) == (AlertKind.OVERSTOCK, 60, 0)
    mark = len(store.events)
    await sell(store, {"LAMP": 15})  # available 45: back in the band
    assert active(store, "LAMP") is None
    assert event_types(store, mark)[-1] == "reorder_alert.cleared"


async def test_going_from_low_to_over_clears_one_alert_and_raises_the_other(store: FakeStore) -> None:
    await banded(store, "LAMP", 10, 20)
    mark = len(store.events)
    await buy(store, "LAMP", 30, 1)
    alerts = [e for e in store.events[mark:] if isinstance(e, ReorderAlertCleared | ReorderAlertRaised)]
    assert [(e.type, e.kind) for e in alerts] == [
        ("reorder_alert.cleared", "low_stock"),
        ("reorder_alert.raised", "overstock"),
    ]
    alert = active(store, "LAMP")
    assert alert is not None and alert.kind == AlertKind.OVERSTOCK


async def test_available_stock_is_judged_over_all_warehouses(store: FakeStore) -> None:
    await banded(store, "LAMP", 10, 50)
    await buy(store, "LAMP", 6, 1)
    assert active(store, "LAMP") is not None
    await buy(store, "LAMP", 6, 1, warehouse=WH2)
    assert active(store, "LAMP") is None


async def test_changing_the_band_re_evaluates_the_sku(store: FakeStore) -> None:
    await buy(store, "TEA", 5, 1)
    assert active(store, "TEA") is None

    mark = len(store.events)
    await store.run(handlers.update_product, "TEA", ProductChanges(reorder_point=D(8)))
    assert event_types(store, mark) == ["product.upserted", "reorder_alert.raised"]
    alert = active(store, "TEA")
    assert alert is not None and (alert.kind, alert.suggested_qty) == (AlertKind.LOW_STOCK, 3)

    await store.run(handlers.update_product, "TEA", ProductChanges(reorder_max=D(20)))
    alert = active(store, "TEA")
    assert alert is not None and (alert.reorder_max, alert.suggested_qty) == (20, 15)

    mark = len(store.events)
    await store.run(handlers.update_product, "TEA", ProductChanges(reorder_point=None, reorder_max=D(4)))
    assert event_types(store, mark) == ["product.upserted", "reorder_alert.cleared", "reorder_alert.raised"]
    alert = active(store, "TEA")
    assert alert is not None and alert.kind == AlertKind.OVERSTOCK

    mark = len(store.events)
    await store.run(handlers.update_product, "TEA", ProductChanges(reorder_max=None))
    assert event_types(store, mark) == ["product.upserted", "reorder_alert.cleared"]
    assert active(store, "TEA") is None


async def test_an_inactive_product_raises_no_alerts(store: FakeStore) -> None:
    await banded(store, "LAMP", 10, 50)
    mark = len(store.events)
    await store.run(handlers.update_product, "LAMP", ProductChanges(active=False))
    assert event_types(store, mark) == ["product.upserted", "reorder_alert.cleared"]
    assert active(store, "LAMP") is None
