"""Orders in: each store order becomes exactly one hub sales order, however it arrives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.connectors.shopify.e2e.support import CONNECTOR, Stack, local, ok, sqlite_only

#: Poll so rarely the test never sees it (after the one at start): webhooks alone.
WEBHOOKS_ONLY = {"poll_interval_seconds": 3600}


async def _one_after_poll(stack: Stack, order: dict[str, Any]) -> dict[str, Any]:
    """The order's one hub sales order, checked again after everything settled and a poll ran."""
    found = await stack.order_of(order["admin_graphql_api_id"])
    await stack.settled()
    poll = await stack.polled()
    assert (poll["writes"], poll["counts"]["unchanged"]) == (0, 1), "the poll saw it, taken in already"
    assert [o["id"] for o in await stack.orders_of(order["admin_graphql_api_id"])] == [found["id"]]
    return found


@local
async def test_a_store_order_becomes_exactly_one_sales_order(stack: Stack) -> None:
    await stack.add_connector()  # webhooks and a poll every second: both see the order
    await an_order_arrives_once(stack)


async def an_order_arrives_once(stack: Stack) -> None:
    reserved = (await stack.stock("TEA", "SH"))["reserved"]
    placed = await stack.place_order(("TEA", 3), ("CUP", 2))

    sales_order = await _one_after_poll(stack, placed)
    assert (sales_order["channel"], sales_order["external_id"]) == (CONNECTOR, placed["admin_graphql_api_id"])
    assert (sales_order["customer"], sales_order["warehouse"], sales_order["status"]) == (CONNECTOR, "SH", "confirmed")
    assert {line["sku"]: (line["qty"], line["unit_price"], line["reserved"]) for line in sales_order["lines"]} == {
        "TEA": (3, "12.50", 3),
        "CUP": (2, "18.00", 2),
    }
    assert (await stack.stock("TEA", "SH"))["reserved"] == reserved + 3
    deliveries = [
        d for d in await stack.deliveries() if d["topic"] == "orders/create" and d["payload"]["id"] == placed["id"]
    ]
    assert [d["attempts"][-1]["status"] for d in deliveries] == [200]


@sqlite_only
async def test_with_webhooks_off_the_poll_brings_the_order_in(stack: Stack) -> None:
    await stack.configure_store(webhook_topics=[])
    await stack.add_connector()
    placed = await stack.place_order(("TEA", 1))

    await _one_after_poll(stack, placed)
    assert await stack.deliveries() == [], "nothing came by webhook"


@sqlite_only
async def test_duplicate_webhook_deliveries_make_one_order(stack: Stack) -> None:
    await stack.configure_store(webhook_duplicate=True)  # every delivery twice, same id
    await stack.add_connector(**WEBHOOKS_ONLY)
    placed = await stack.place_order(("TEA", 2))
    await stack.order_of(placed["admin_graphql_api_id"])
    (created,) = [d for d in await stack.deliveries() if d["topic"] == "orders/create"]
    ok(await stack.shop.post("/_simulator/webhooks/redeliver", json={"webhook_id": created["webhook_id"]}))
    await stack.settled()

    (delivery,) = [d for d in await stack.deliveries() if d["webhook_id"] == created["webhook_id"]]
    assert [a["status"] for a in delivery["attempts"]] == [200, 200, 200], "each was accepted"
    assert len(await stack.orders_of(placed["admin_graphql_api_id"])) == 1
    assert (await stack.stock("TEA", "SH"))["reserved"] == 2


@local
async def test_a_cancel_delivered_before_the_create_ends_cancelled(stack: Stack) -> None:
    await stack.add_connector(**WEBHOOKS_ONLY)
    ok(await stack.shop.post("/_simulator/webhooks/hold"))
    placed = await stack.place_order(("TEA", 4))
    ok(await stack.shop.post(f"/_simulator/orders/{placed['id']}/cancel", json={}))
    # Newest first: orders/updated, orders/cancelled, refunds/create, then orders/create.
    ok(await stack.shop.post("/_simulator/webhooks/release", params={"reverse": True}))
    await stack.settled()

    (sales_order,) = await stack.orders_of(placed["admin_graphql_api_id"])
    assert sales_order["status"] == "cancelled"
    assert (await stack.stock("TEA", "SH"))["reserved"] == 0


@sqlite_only
async def test_a_cancel_in_the_store_releases_the_reservation(stack: Stack) -> None:
    await stack.add_connector()
    placed = await stack.place_order(("TEA", 5))
    await stack.order_of(placed["admin_graphql_api_id"])
    assert (await stack.stock("TEA", "SH"))["reserved"] == 5

    ok(await stack.shop.post(f"/_simulator/orders/{placed['id']}/cancel", json={}))

    async def released() -> bool:
        (sales_order,) = await stack.orders_of(placed["admin_graphql_api_id"])
        return sales_order["status"] == "cancelled" and (await stack.stock("TEA", "SH"))["reserved"] == 0

    await stack.wait(released, "the cancellation in the hub")

    async def offered_again() -> bool:
        return (await stack.available())[("TEA", "Shanghai DC")] == 100

    await stack.wait(offered_again, "the released stock offered again in the store")


@sqlite_only
async def test_a_refund_with_restock_becomes_a_return_with_restock(stack: Stack) -> None:
    await stack.add_connector()
    placed = await stack.place_order(("TEA", 4))
    sales_order = await stack.order_of(placed["admin_graphql_api_id"])
    ship = {"lines": [{"sku": "TEA", "qty": 4}], "carrier": "UPS", "tracking": "1Z0001"}
    ok(await stack.api.post(f"/v1/sales-orders/{sales_order['id']}/shipments", json=ship), 201)
    await stack.wait(lambda: _fulfilled(stack), "the shipment in the store")
    assert (await stack.stock("TEA", "SH"))["on_hand"] == 96

    refund = {"line_items": [{"sku": "TEA", "quantity": 3, "restock_type": "RETURN"}]}
    ok(await stack.shop.post(f"/_simulator/orders/{placed['id']}/refunds", json=refund), 201)

    async def returned() -> list[dict[str, Any]]:
        (order,) = await stack.orders_of(placed["admin_graphql_api_id"])
        return order["returns"]  # type: ignore[no-any-return]

    (back,) = await stack.wait(returned, "the refund as a return in the hub")
    assert [(line["sku"], line["qty"]) for line in back["lines"]] == [("TEA", 3)]
    assert (await stack.stock("TEA", "SH"))["on_hand"] == 99, "restocked"
    await stack.settled()
    await stack.polled()
    (order,) = await stack.orders_of(placed["admin_graphql_api_id"])
    assert len(order["returns"]) == 1, "one return, however often the refund is seen"


@sqlite_only
async def test_units_cancelled_before_shipping_come_off_the_sales_order(stack: Stack) -> None:
    await stack.add_connector()
    reserved = (await stack.stock("TEA", "SH"))["reserved"]
    placed = await stack.place_order(("TEA", 3), ("CUP", 1))
    sales_order = await stack.order_of(placed["admin_graphql_api_id"])

    refund = {"line_items": [{"sku": "TEA", "quantity": 1, "restock_type": "CANCEL"}]}
    ok(await stack.shop.post(f"/_simulator/orders/{placed['id']}/refunds", json=refund), 201)

    async def reduced() -> dict[str, Any] | None:
        (order,) = await stack.orders_of(placed["admin_graphql_api_id"])
        lines = {line["sku"]: (line["qty"], line["reserved"]) for line in order["lines"]}
        return order if lines["TEA"] == (2, 2) else None

    await stack.wait(reduced, "the cancelled unit off the hub order")
    await stack.settled()
    await stack.polled()  # the same order read again takes nothing more off
    (order,) = await stack.orders_of(placed["admin_graphql_api_id"])
    assert order["status"] == "confirmed"
    assert {line["sku"]: (line["qty"], line["reserved"]) for line in order["lines"]} == {"TEA": (2, 2), "CUP": (1, 1)}
    assert (await stack.stock("TEA", "SH"))["reserved"] == reserved + 2

    ship = {"lines": [{"sku": "TEA", "qty": 2}, {"sku": "CUP", "qty": 1}], "carrier": "UPS", "tracking": "1Z0002"}
    ok(await stack.api.post(f"/v1/sales-orders/{sales_order['id']}/shipments", json=ship), 201)
    (fulfillment,) = await stack.wait(lambda: _fulfilled(stack), "everything left shipped in the store")
    shipped = {line["sku"]: (line["quantity"], line["fulfillable_quantity"]) for line in fulfillment["line_items"]}
    assert shipped == {"TEA": (2, 0), "CUP": (1, 0)}, "nothing left to ship in the store either"


async def _fulfilled(stack: Stack) -> list[Any]:
    return ok(await stack.shop.get("/_simulator/fulfillments"))  # type: ignore[no-any-return]


@sqlite_only
async def test_an_order_that_cannot_come_in_is_held_with_its_reason_and_blocks_nothing(stack: Stack) -> None:
    await stack.add_connector()
    unknown = await stack.place_order(("TEA", 1), ("GHOST", 1))
    unmapped = await stack.place_order(("TEA", 1), location="Beijing Store")
    good = await stack.place_order(("CUP", 1))

    await stack.order_of(good["admin_graphql_api_id"], "the good order after two held ones")

    async def held() -> dict[str, str]:
        holds = (await stack.status())["orders_on_hold"]
        return {hold["external_id"]: hold["reason"] for hold in holds} if len(holds) == 2 else {}

    reasons = await stack.wait(held, "two orders on hold")
    assert "unknown SKU GHOST" in reasons[unknown["admin_graphql_api_id"]]
    beijing = stack.location("Beijing Store")
    assert f"location {beijing} is not mapped" in reasons[unmapped["admin_graphql_api_id"]]
    for order in (unknown, unmapped):
        assert await stack.orders_of(order["admin_graphql_api_id"]) == []
        assert reasons[order["admin_graphql_api_id"]].startswith(order["name"])
    # Each poll looks at them again; while they stay held, that changes nothing.
    await stack.polled()
    latest = next(run for run in await stack.runs("orders") if run["finished_at"])
    assert (latest["status"], latest["writes"]) == ("succeeded", 0), latest


@local
async def test_shipping_and_an_order_discount_come_in_as_charges_and_invoice_to_the_cent(stack: Stack) -> None:
    await stack.add_connector(**WEBHOOKS_ONLY)
    body = {
        "line_items": [{"sku": "TEA", "quantity": 3}, {"sku": "CUP", "quantity": 1}],
        "location": "Shanghai DC",
        "shipping_lines": [{"title": "Standard", "price": "7.95"}],
        "discounts": [{"amount": "5.55", "code": "WELCOME"}],
    }
    placed = ok(await stack.shop.post("/_simulator/orders", json=body), 201)
    sales_order = await stack.order_of(placed["admin_graphql_api_id"])
    assert [(c["kind"], c["description"], c["amount"]) for c in sales_order["charges"]] == [
        ("shipping", "Standard", "7.95"),
        ("discount", "WELCOME", "5.55"),
    ]
    # 3 × 12.50 + 18.00 − 5.55 + 7.95: the store's total price (a tax-exclusive store, no tax here).
    assert sales_order["total"] == placed["total_price"] == "57.90"
    ship = [{"sku": line["sku"], "qty": line["qty"]} for line in sales_order["lines"]]
    ok(await stack.api.post(f"/v1/sales-orders/{sales_order['id']}/shipments", json={"lines": ship}), 201)
    invoice = ok(await stack.api.post("/v1/invoices", json={"sales_order": sales_order["id"]}), 201)
    assert invoice["total"] == placed["total_price"]
    assert [(x["kind"], x["gross"]) for x in invoice["lines"]][-2:] == [("shipping", "7.95"), ("discount", "-5.55")]


@local
async def test_line_level_discounts_come_in_on_their_lines_and_invoice_to_the_cent(stack: Stack) -> None:
    await stack.add_connector(**WEBHOOKS_ONLY)
    body = {
        "line_items": [
            {"sku": "TEA", "quantity": 3, "discount": {"amount": "3.75", "code": "TEAWEEK"}},
            {"sku": "CUP", "quantity": 1, "discount": {"amount": "2.00", "title": "Dented box"}},
        ],
        "location": "Shanghai DC",
        "shipping_lines": [{"title": "Standard", "price": "7.95"}],
        "discounts": [{"amount": "5.55", "code": "WELCOME"}],
    }
    placed = ok(await stack.shop.post("/_simulator/orders", json=body), 201)
    # 3 × 12.50 − 3.75 + 18.00 − 2.00 − 5.55 + 7.95: the store's total price.
    assert placed["total_price"] == "52.15"
    sales_order = await stack.order_of(placed["admin_graphql_api_id"])
    assert [(line["sku"], line["discount"]) for line in sales_order["lines"]] == [("TEA", "3.75"), ("CUP", "2.00")]
    assert [(c["kind"], c["description"], c["amount"]) for c in sales_order["charges"]] == [
        ("shipping", "Standard", "7.95"),
        ("discount", "WELCOME", "5.55"),
    ]
    assert sales_order["total"] == placed["total_price"]
    ship = [{"sku": line["sku"], "qty": line["qty"]} for line in sales_order["lines"]]
    ok(await stack.api.post(f"/v1/sales-orders/{sales_order['id']}/shipments", json={"lines": ship}), 201)
    invoice = ok(await stack.api.post("/v1/invoices", json={"sales_order": sales_order["id"]}), 201)
    assert (invoice["net_total"], invoice["total"]) == (placed["total_price"], placed["total_price"])
    assert [(x["sku"], x["discount"], x["gross"]) for x in invoice["lines"]][:2] == [
        ("TEA", "3.75", "33.75"),
        ("CUP", "2.00", "16.00"),
    ]

    await stack.wait(lambda: _fulfilled(stack), "the shipment in the store")

    # A tin comes back: its line credits 12.50 less its third of the line's discount.
    refund = {"line_items": [{"sku": "TEA", "quantity": 1, "restock_type": "RETURN"}]}
    ok(await stack.shop.post(f"/_simulator/orders/{placed['id']}/refunds", json=refund), 201)

    async def credited() -> list[dict[str, Any]]:
        notes = ok(await stack.api.get("/v1/credit-notes", params={"customer": CONNECTOR}))["items"]
        return notes  # type: ignore[no-any-return]

    (note,) = await stack.wait(credited, "the return's credit note")
    assert [(x["sku"], x["qty"], x["gross"]) for x in note["lines"] if x["kind"] == "goods"] == [("TEA", 1, "11.25")]
    after = ok(await stack.api.get(f"/v1/invoices/{invoice['id']}"))
    assert Decimal(after["amount_due"]) == Decimal(invoice["total"]) - Decimal(note["total"])
