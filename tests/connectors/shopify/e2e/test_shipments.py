"""Shipments out: what the hub ships of a store order becomes a fulfillment in the store."""

from __future__ import annotations

from typing import Any

from tests.connectors.shopify.e2e.support import Stack, local, ok


async def _fulfillments(stack: Stack, count: int) -> list[dict[str, Any]]:
    async def found() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = ok(await stack.shop.get("/_simulator/fulfillments"))
        return rows if len(rows) >= count else []

    return await stack.wait(found, f"{count} fulfillment(s) in the store")  # type: ignore[no-any-return]


@local
async def test_shipments_become_fulfillments_with_tracking_partial_ones_too(stack: Stack) -> None:
    await stack.add_connector()
    await shipments_become_fulfillments(stack)


async def shipments_become_fulfillments(stack: Stack) -> None:
    placed = await stack.place_order(("TEA", 5), ("CUP", 2))
    sales_order = await stack.order_of(placed["admin_graphql_api_id"])
    ship = f"/v1/sales-orders/{sales_order['id']}/shipments"

    first = {"lines": [{"sku": "TEA", "qty": 2}], "carrier": "UPS", "tracking": "1Z999AA10123456784"}
    ok(await stack.api.post(ship, json=first), 201)
    (partial,) = await _fulfillments(stack, 1)
    assert (partial["tracking_number"], partial["tracking_company"], partial["tracking_url"]) == (
        "1Z999AA10123456784",
        "UPS",
        "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    )
    assert [(line["sku"], line["quantity"]) for line in partial["line_items"]] == [("TEA", 2)]
    assert ok(await stack.shop.get(f"/_simulator/orders/{placed['id']}"))["fulfillment_status"] == "partial"

    rest = {
        "lines": [{"sku": "TEA", "qty": 3}, {"sku": "CUP", "qty": 2}],
        "carrier": "Acme Freight",
        "tracking": "AF-7",
    }
    ok(await stack.api.post(ship, json=rest), 201)
    _, second = await _fulfillments(stack, 2)
    assert (second["tracking_number"], second["tracking_company"], second["tracking_url"]) == (
        "AF-7",
        "Acme Freight",
        None,
    )
    assert sorted((line["sku"], line["quantity"]) for line in second["line_items"]) == [("CUP", 2), ("TEA", 3)]
    order = ok(await stack.shop.get(f"/_simulator/orders/{placed['id']}"))
    assert order["fulfillment_status"] == "fulfilled"

    # The fulfillments come back as order updates: still one sales order, fully shipped.
    await stack.settled()
    (again,) = await stack.orders_of(placed["admin_graphql_api_id"])
    assert again["status"] == "shipped" and len(again["shipments"]) == 2
    assert len(ok(await stack.shop.get("/_simulator/fulfillments"))) == 2, "each shipment fulfilled once"
