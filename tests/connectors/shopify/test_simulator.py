"""The Shopify simulator behaves like the Admin GraphQL API a connector talks to.

Driven over HTTP (httpx's ASGI transport) with real GraphQL documents, validated
against the vendor's 2025-01 schema; time is a manual clock, so throttling is exact.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hub.simulators.shopify import INVALID_TOKEN, ManualClock, ShopifySimulator, serve

TOKEN = "shpat_test"
SECRET = "hook-secret"
GRAPHQL = "/admin/api/2025-01/graphql.json"

SEED = {
    "locations": ["Shanghai DC", "Hangzhou Store", "Beijing Store", {"name": "Old Depot", "active": False}],
    "products": [
        {
            "title": "Jasmine Tea",
            "variants": [{"sku": "TEA-1", "price": "12.50", "inventory": {"Shanghai DC": 100, "Hangzhou Store": 10}}],
        },
        {
            "title": "Celadon Cup",
            "variants": [
                {"sku": "CUP-S", "title": "Small", "price": "18.00", "inventory": {"Shanghai DC": 40}},
                {"sku": "CUP-L", "title": "Large", "price": "22.00", "inventory": {"Shanghai DC": 25}},
            ],
        },
    ],
}


class Shop:
    """The simulator plus a client for it; ``gql`` posts one document."""

    def __init__(self, sim: ShopifySimulator, client: httpx.AsyncClient, clock: ManualClock) -> None:
        self.sim, self.client, self.clock, self.store = sim, client, clock, sim.store

    async def gql(self, document: str, /, **variables: Any) -> dict[str, Any]:
        response = await self.client.post(
            GRAPHQL, json={"query": document, "variables": variables}, headers={"X-Shopify-Access-Token": TOKEN}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "cost" in body["extensions"]
        return body


@pytest.fixture
async def shop() -> AsyncIterator[Shop]:
    clock = ManualClock()
    sim = ShopifySimulator(access_token=TOKEN, clock=clock)
    sim.store.seed(SEED)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://shop.test") as client:
        yield Shop(sim, client, clock)
    await sim.aclose()


async def test_a_missing_or_wrong_token_is_refused_like_shopify(shop: Shop) -> None:
    for headers in ({}, {"X-Shopify-Access-Token": "shpat_wrong"}):
        response = await shop.client.post(GRAPHQL, json={"query": "{ shop { name } }"}, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"errors": INVALID_TOKEN}
    assert shop.sim.counters.requests == 0


async def test_an_invalid_document_gets_graphql_errors_with_http_200(shop: Shop) -> None:
    body = await shop.gql("{ shop { nme } }")
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"] == [{"line": 1, "column": 10}]
    body = await shop.gql("{ shop { name }")
    assert body["errors"][0]["extensions"]["code"] == "parseError"
    body = await shop.gql("query($n: Int!) { locations(first: $n) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert shop.sim.counters.points_spent == 0


async def test_shop_and_the_version_asked_for(shop: Shop) -> None:
    response = await shop.client.post(
        "/admin/api/2024-10/graphql.json",
        json={"query": "{ shop { id name } }"},
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert response.json()["data"]["shop"]["id"].startswith("gid://shopify/Shop/")
    assert shop.sim.counters.api_versions == {"2024-10": 1}


async def _all_pages(shop: Shop, document: str, root: str, /, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    for _ in range(20):
        body = await shop.gql(document, after=after, **variables)
        page = body["data"][root]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pagination did not end")


LOCATIONS = """
query($after: String, $inactive: Boolean) {
  locations(first: 2, after: $after, includeInactive: $inactive, sortKey: ID) {
    nodes { id name isActive } pageInfo { hasNextPage endCursor }
  }
}"""


async def test_locations_page_to_the_end_and_hide_inactive_ones(shop: Shop) -> None:
    active = await _all_pages(shop, LOCATIONS, "locations", inactive=False)
    assert [n["name"] for n in active] == ["Shanghai DC", "Hangzhou Store", "Beijing Store"]
    every = await _all_pages(shop, LOCATIONS, "locations", inactive=True)
    assert [n["isActive"] for n in every] == [True, True, True, False]
    backwards = """query($before: String) { locations(last: 2, before: $before, sortKey: ID) {
        nodes { name } pageInfo { hasPreviousPage startCursor } } }"""
    page = (await shop.gql(backwards))["data"]["locations"]
    assert ([n["name"] for n in page["nodes"]], page["pageInfo"]["hasPreviousPage"]) == (
        ["Hangzhou Store", "Beijing Store"],
        True,
    )
    page = (await shop.gql(backwards, before=page["pageInfo"]["startCursor"]))["data"]["locations"]
    assert ([n["name"] for n in page["nodes"]], page["pageInfo"]["hasPreviousPage"]) == (["Shanghai DC"], False)


VARIANTS = """
query($after: String, $query: String) {
  productVariants(first: 1, after: $after, query: $query) {
    nodes {
      id sku title product { id title }
      inventoryItem {
        id sku tracked
        inventoryLevels(first: 5) {
          nodes { id location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_variants_page_to_the_end_and_search_by_sku(shop: Shop) -> None:
    every = await _all_pages(shop, VARIANTS, "productVariants")
    assert [v["sku"] for v in every] == ["TEA-1", "CUP-S", "CUP-L"]
    tea = every[0]
    assert tea["id"].startswith("gid://shopify/ProductVariant/") and tea["product"]["title"] == "Jasmine Tea"
    levels = {
        lv["location"]["name"]: {q["name"]: q["quantity"] for q in lv["quantities"]}
        for lv in tea["inventoryItem"]["inventoryLevels"]["nodes"]
    }
    assert levels == {
        "Shanghai DC": {"available": 100, "on_hand": 100, "committed": 0},
        "Hangzhou Store": {"available": 10, "on_hand": 10, "committed": 0},
    }
    some = await _all_pages(shop, VARIANTS, "productVariants", query="sku:CUP-L OR sku:TEA-1")
    assert sorted(v["sku"] for v in some) == ["CUP-L", "TEA-1"]
    assert [v["sku"] for v in await _all_pages(shop, VARIANTS, "productVariants", query="sku:CUP-S")] == ["CUP-S"]


ORDERS = """
query($after: String, $query: String, $sortKey: OrderSortKeys, $reverse: Boolean) {
  orders(first: 2, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {
    nodes { id name updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}"""

ORDER = """
query($id: ID!) {
  order(id: $id) {
    id legacyResourceId name createdAt updatedAt cancelledAt cancelReason currencyCode
    displayFinancialStatus displayFulfillmentStatus email
    customer { id email firstName lastName }
    totalPriceSet { shopMoney { amount currencyCode } }
    lineItems(first: 10) {
      nodes { id sku name quantity currentQuantity originalUnitPriceSet { shopMoney { amount } } variant { id sku } }
    }
    fulfillmentOrders(first: 5) {
      nodes {
        id status assignedLocation { location { id name } }
        lineItems(first: 10) { nodes { id remainingQuantity totalQuantity lineItem { id sku } } }
      }
    }
    fulfillments(first: 5) {
      id status createdAt trackingInfo { number company url }
      fulfillmentLineItems(first: 10) { nodes { lineItem { sku } quantity } }
    }
    refunds(first: 5) {
      id createdAt
      refundLineItems(first: 10) { nodes { quantity restockType location { id } lineItem { id sku } } }
    }
  }
}"""


async def test_orders_page_sort_and_filter_on_updated_at(shop: Shop) -> None:
    placed = []
    for _ in range(5):
        placed.append(shop.store.create_order([{"sku": "TEA-1", "quantity": 1}], location="Shanghai DC"))
        shop.clock.advance(60)
    every = await _all_pages(shop, ORDERS, "orders", sortKey="UPDATED_AT")
    assert [o["name"] for o in every] == ["#1001", "#1002", "#1003", "#1004", "#1005"]
    shop.store.refund_order(placed[0], [{"sku": "TEA-1", "quantity": 1, "restock_type": "CANCEL"}])
    mark = "2026-01-01T00:03:00Z"  # #1004 was placed at exactly this second
    later = await _all_pages(shop, ORDERS, "orders", sortKey="UPDATED_AT", query=f"updated_at:>'{mark}'")
    assert [o["name"] for o in later] == ["#1005", "#1001"]  # #1001 moved: refunded just now
    since = await _all_pages(shop, ORDERS, "orders", sortKey="UPDATED_AT", query=f"updated_at:>={mark}")
    assert [o["name"] for o in since] == ["#1004", "#1005", "#1001"]
    newest_first = await _all_pages(shop, ORDERS, "orders", sortKey="CREATED_AT", reverse=True)
    assert [o["name"] for o in newest_first] == ["#1005", "#1004", "#1003", "#1002", "#1001"]
    body = await shop.gql(ORDERS, query="financial_status:refunded bogus:1")
    assert [o["name"] for o in body["data"]["orders"]["nodes"]] == ["#1001"]
    assert body["extensions"]["search"][0]["warnings"]  # unknown search fields are reported, not fatal


async def _levels(shop: Shop, sku: str) -> dict[str, int]:
    return {row["location"]: row["available"] for row in shop.store.inventory() if row["sku"] == sku}


SET = """
mutation($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup {
      id createdAt reason referenceDocumentUri
      changes { name delta quantityAfterChange item { id } location { id } }
    }
    userErrors { code field message }
  }
}"""


def _set_input(shop: Shop, *entries: tuple[str, str, int, int | None]) -> dict[str, Any]:
    quantities = []
    for sku, location, quantity, compare in entries:
        item = shop.store.variant_by_sku(sku).inventory_item
        assert item is not None
        entry: dict[str, Any] = {
            "inventoryItemId": item.id,
            "locationId": shop.store.location(location).id,
            "quantity": quantity,
        }
        if compare is not None:
            entry["compareQuantity"] = compare
        quantities.append(entry)
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "jxc://stock/sync/1",
        "quantities": quantities,
    }


async def test_inventory_set_quantities_sets_available_and_reports_changes(shop: Shop) -> None:
    wanted = _set_input(shop, ("TEA-1", "Shanghai DC", 80, 100), ("TEA-1", "Hangzhou Store", 12, 10))
    body = await shop.gql(SET, input=wanted)
    result = body["data"]["inventorySetQuantities"]
    assert result["userErrors"] == []
    group = result["inventoryAdjustmentGroup"]
    assert group["id"].startswith("gid://shopify/InventoryAdjustmentGroup/") and group["reason"] == "correction"
    assert {(c["name"], c["delta"], c["quantityAfterChange"]) for c in group["changes"]} == {
        ("available", -20, 80),
        ("on_hand", -20, 80),
        ("available", 2, 12),
        ("on_hand", 2, 12),
    }
    assert await _levels(shop, "TEA-1") == {"Shanghai DC": 80, "Hangzhou Store": 12}
    assert shop.sim.counters.mutations_applied == 1


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (("TEA-1", "Hangzhou Store", 5, 9), "COMPARE_QUANTITY_STALE"),
        (("TEA-1", "Hangzhou Store", 5, None), "COMPARE_QUANTITY_REQUIRED"),
        (("TEA-1", "Hangzhou Store", -1, 10), "INVALID_QUANTITY_NEGATIVE"),
        (("CUP-S", "Hangzhou Store", 5, 0), "ITEM_NOT_STOCKED_AT_LOCATION"),
    ],
)
async def test_one_bad_quantity_fails_the_whole_mutation(shop: Shop, entry: Any, code: str) -> None:
    before = shop.store.inventory()
    body = await shop.gql(SET, input=_set_input(shop, ("TEA-1", "Shanghai DC", 1, 100), entry))
    result = body["data"]["inventorySetQuantities"]
    assert result["inventoryAdjustmentGroup"] is None
    assert [e["code"] for e in result["userErrors"]] == [code]
    assert result["userErrors"][0]["field"][:3] == ["input", "quantities", "1"]
    assert shop.store.inventory() == before
    assert shop.sim.counters.mutations_applied == 0


async def test_unknown_ids_and_names_are_user_errors(shop: Shop) -> None:
    data = _set_input(shop, ("TEA-1", "Shanghai DC", 1, 100))
    data["quantities"][0]["locationId"] = "gid://shopify/Location/999999"
    data["name"] = "incoming"
    result = (await shop.gql(SET, input=data))["data"]["inventorySetQuantities"]
    assert {e["code"] for e in result["userErrors"]} == {"INVALID_NAME", "INVALID_LOCATION"}


FULFILL = """
mutation($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment, message: "shipped from jxc") {
    fulfillment { id status trackingInfo { number company url } }
    userErrors { field message }
  }
}"""


async def test_fulfillment_create_partial_then_complete(shop: Shop) -> None:
    placed = shop.store.create_order(
        [{"sku": "TEA-1", "quantity": 3}, {"sku": "CUP-S", "quantity": 1}],
        location="Shanghai DC",
        customer={"email": "li@example.com", "first_name": "Li"},
    )
    order = (await shop.gql(ORDER, id=placed.id))["data"]["order"]
    assert order["displayFulfillmentStatus"] == "UNFULFILLED" and order["customer"]["firstName"] == "Li"
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "55.50", "currencyCode": "USD"}
    [fo] = order["fulfillmentOrders"]["nodes"]
    assert fo["assignedLocation"]["location"]["name"] == "Shanghai DC"
    tea, cup = fo["lineItems"]["nodes"]

    def request(lines: list[dict[str, Any]] | None) -> dict[str, Any]:
        group: dict[str, Any] = {"fulfillmentOrderId": fo["id"]}
        if lines is not None:
            group["fulfillmentOrderLineItems"] = lines
        return {
            "lineItemsByFulfillmentOrder": [group],
            "trackingInfo": {"number": "SF123", "company": "SF Express", "url": "https://sf.example/SF123"},
        }

    too_many = await shop.gql(FULFILL, fulfillment=request([{"id": tea["id"], "quantity": 4}]))
    assert too_many["data"]["fulfillmentCreate"]["fulfillment"] is None
    assert too_many["data"]["fulfillmentCreate"]["userErrors"]
    first = (await shop.gql(FULFILL, fulfillment=request([{"id": tea["id"], "quantity": 2}])))["data"]
    assert first["fulfillmentCreate"]["fulfillment"]["status"] == "SUCCESS"
    assert first["fulfillmentCreate"]["fulfillment"]["trackingInfo"] == [
        {"number": "SF123", "company": "SF Express", "url": "https://sf.example/SF123"}
    ]
    order = (await shop.gql(ORDER, id=placed.id))["data"]["order"]
    assert order["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert order["fulfillmentOrders"]["nodes"][0]["status"] == "IN_PROGRESS"
    assert [n["remainingQuantity"] for n in order["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"]] == [1, 1]
    rest = (await shop.gql(FULFILL, fulfillment=request(None)))["data"]["fulfillmentCreate"]
    assert rest["userErrors"] == []
    order = (await shop.gql(ORDER, id=placed.id))["data"]["order"]
    assert order["displayFulfillmentStatus"] == "FULFILLED"
    assert order["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert [
        [(n["lineItem"]["sku"], n["quantity"]) for n in f["fulfillmentLineItems"]["nodes"]]
        for f in order["fulfillments"]
    ] == [[("TEA-1", 2)], [("TEA-1", 1), ("CUP-S", 1)]]
    level = shop.store.level("TEA-1", "Shanghai DC").quantities
    assert (level["available"], level["committed"], level["on_hand"]) == (97, 0, 97)
    closed = (await shop.gql(FULFILL, fulfillment=request(None)))["data"]["fulfillmentCreate"]
    assert closed["fulfillment"] is None and "unfulfillable status" in closed["userErrors"][0]["message"]
    assert cup["lineItem"]["sku"] == "CUP-S" and shop.sim.counters.mutations_applied == 2


async def test_cancel_and_refund_restock_and_show_in_the_order(shop: Shop) -> None:
    kept = shop.store.create_order([{"sku": "CUP-L", "quantity": 2}], location="Shanghai DC")
    dropped = shop.store.create_order([{"sku": "CUP-L", "quantity": 5}], location="Shanghai DC")
    assert shop.store.available("CUP-L", "Shanghai DC") == 18
    shop.store.cancel_order(dropped, reason="INVENTORY")
    assert shop.store.available("CUP-L", "Shanghai DC") == 23
    shop.store.fulfill([(kept.fulfillment_orders[0].line_items[0], 2)])
    shop.store.refund_order(kept, [{"sku": "CUP-L", "quantity": 1, "restock_type": "RETURN"}])
    assert shop.store.level("CUP-L", "Shanghai DC").quantities["on_hand"] == 24
    order = (await shop.gql(ORDER, id=dropped.id))["data"]["order"]
    assert order["cancelReason"] == "INVENTORY" and order["cancelledAt"] is not None
    assert order["lineItems"]["nodes"][0]["currentQuantity"] == 0
    [refund] = (await shop.gql(ORDER, id=kept.id))["data"]["order"]["refunds"]
    assert [(n["quantity"], n["restockType"]) for n in refund["refundLineItems"]["nodes"]] == [(1, "RETURN")]


EXPENSIVE = "{ productVariants(first: 100) { nodes { id inventoryItem { id } } } }"  # 2 + 100 × 2 = 202


async def test_throttling_follows_the_leaky_bucket(shop: Shop) -> None:
    shop.store.add_product("Bulk", [{"sku": f"BULK-{i:03}"} for i in range(120)])
    costs = []
    for _ in range(4):
        body = await shop.gql(EXPENSIVE)
        costs.append(body["extensions"]["cost"])
    assert [c["requestedQueryCost"] for c in costs] == [202] * 4
    assert [c["actualQueryCost"] for c in costs] == [202] * 4
    assert costs[-1]["throttleStatus"] == {"maximumAvailable": 1000.0, "currentlyAvailable": 192, "restoreRate": 100.0}
    throttled = await shop.gql(EXPENSIVE)
    assert "data" not in throttled
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert throttled["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 192  # nothing charged
    assert shop.sim.counters.throttled == 1
    shop.clock.advance(0.1)  # 10 points back at 100 points/s
    assert (await shop.gql(EXPENSIVE))["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
    shop.clock.advance(3)
    assert (await shop.gql("{ shop { name } }"))["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 299
    shop.clock.advance(60)
    assert shop.sim.bucket.status()["currentlyAvailable"] == 1000  # never above the bucket


async def test_the_unused_part_of_the_requested_cost_is_refunded(shop: Shop) -> None:
    cost = (await shop.gql(EXPENSIVE))["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (202, 8)  # 2 + 3 variants × 2
    assert cost["throttleStatus"]["currentlyAvailable"] == 992
    products = "{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }"
    assert (await shop.gql(products))["extensions"]["cost"]["requestedQueryCost"] == 2 + 10 * (1 + 2 + 5)
    mutation = (await shop.gql(SET, input=_set_input(shop, ("TEA-1", "Shanghai DC", 1, 100))))["extensions"]
    assert mutation["cost"]["requestedQueryCost"] >= 10


async def test_a_query_dearer_than_the_limit_never_runs(shop: Shop) -> None:
    shop.sim.configure(plan="plus", bucket_size=2000)
    levels = "inventoryLevels(first: 10) { nodes { id } }"
    body = await shop.gql(f"{{ productVariants(first: 250) {{ nodes {{ inventoryItem {{ {levels} }} }} }} }}")
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["extensions"]["cost"]["throttleStatus"] == {
        "maximumAvailable": 2000.0,
        "currentlyAvailable": 2000,
        "restoreRate": 1000.0,
    }


class Receiver:
    """A webhook endpoint: records every POST; fails the first ``failures`` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.requests: list[httpx.Request] = []
        self.failures = failures

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(500 if len(self.requests) <= self.failures else 200)


def _signed(request: httpx.Request, secret: str = SECRET) -> bool:
    digest = hmac.new(secret.encode(), request.content, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), request.headers["X-Shopify-Hmac-SHA256"])


async def _hooked(shop: Shop, receiver: Receiver) -> None:
    shop.sim.webhooks.transport = httpx.MockTransport(receiver)
    shop.sim.configure(
        webhook_url="https://hub.test/webhooks/shopify", webhook_secret=SECRET, webhook_retry_delays=[0, 0]
    )


async def test_webhooks_are_signed_and_redelivered_with_the_same_id(shop: Shop) -> None:
    receiver = Receiver(failures=1)
    await _hooked(shop, receiver)
    order = shop.store.create_order([{"sku": "TEA-1", "quantity": 2, "price": "11.00"}], email="li@example.com")
    await shop.sim.webhooks.drain()
    first, retry = receiver.requests
    assert first.headers["X-Shopify-Webhook-Id"] == retry.headers["X-Shopify-Webhook-Id"]  # a retry keeps its id
    assert first.content == retry.content and _signed(retry)
    assert retry.headers["X-Shopify-Topic"] == "orders/create"
    assert retry.headers["X-Shopify-Shop-Domain"] == "jxc-sim.myshopify.com"
    assert retry.headers["X-Shopify-API-Version"] == "2025-01" and retry.headers["X-Shopify-Triggered-At"]
    assert retry.headers["Content-Type"] == "application/json"
    payload = json.loads(retry.content)
    assert (payload["id"], payload["admin_graphql_api_id"], payload["name"]) == (order.legacy_id, order.id, "#1001")
    [line] = payload["line_items"]
    assert (line["sku"], line["quantity"], line["price"]) == ("TEA-1", 2, "11.00")
    assert line["admin_graphql_api_id"].startswith("gid://shopify/LineItem/")

    shop.sim.webhooks.redeliver(first.headers["X-Shopify-Webhook-Id"])
    await shop.sim.webhooks.drain()
    again = receiver.requests[-1]
    assert again.headers["X-Shopify-Webhook-Id"] == first.headers["X-Shopify-Webhook-Id"]
    assert again.content == first.content


async def test_webhook_topics_for_cancel_and_refund(shop: Shop) -> None:
    receiver = Receiver()
    await _hooked(shop, receiver)
    order = shop.store.create_order([{"sku": "CUP-S", "quantity": 2}], location="Shanghai DC")
    shop.store.cancel_order(order)
    await shop.sim.webhooks.drain()
    topics = [r.headers["X-Shopify-Topic"] for r in receiver.requests]
    assert topics == ["orders/create", "refunds/create", "orders/cancelled", "orders/updated"]
    refund = next(json.loads(r.content) for r in receiver.requests if r.headers["X-Shopify-Topic"] == "refunds/create")
    assert refund["order_id"] == order.legacy_id
    [line] = refund["refund_line_items"]
    assert (line["quantity"], line["restock_type"], line["line_item"]["sku"]) == (2, "cancel", "CUP-S")
    assert line["location_id"] == shop.store.location("Shanghai DC").legacy_id
    cancelled = next(
        json.loads(r.content) for r in receiver.requests if r.headers["X-Shopify-Topic"] == "orders/cancelled"
    )
    assert cancelled["cancelled_at"] is not None and cancelled["cancel_reason"] == "customer"


async def test_webhook_misbehaviour_on_demand(shop: Shop) -> None:
    receiver = Receiver()
    await _hooked(shop, receiver)
    shop.sim.configure(webhook_duplicate=True, webhook_topics=["orders/create"])
    shop.store.create_order([{"sku": "TEA-1", "quantity": 1}])
    await shop.sim.webhooks.drain()
    assert len(receiver.requests) == 2
    assert len({r.headers["X-Shopify-Webhook-Id"] for r in receiver.requests}) == 1

    shop.sim.configure(webhook_duplicate=False)
    shop.sim.webhooks.hold()
    shop.store.create_order([{"sku": "TEA-1", "quantity": 1}])
    shop.store.create_order([{"sku": "TEA-1", "quantity": 1}])
    shop.sim.webhooks.release(reverse=True)
    await shop.sim.webhooks.drain()
    assert [json.loads(r.content)["name"] for r in receiver.requests[2:]] == ["#1003", "#1002"]

    shop.sim.configure(webhook_bad_signature=True)
    shop.store.create_order([{"sku": "TEA-1", "quantity": 1}])
    await shop.sim.webhooks.drain()
    assert not _signed(receiver.requests[-1])


async def test_the_control_api_drives_the_platform_side(shop: Shop) -> None:
    client = shop.client
    await client.post("/_simulator/reset")
    seeded = await client.post(
        "/_simulator/seed",
        json={
            "locations": ["Main"],
            "products": [{"title": "Tea", "variants": [{"sku": "T", "inventory": {"Main": 5}}]}],
        },
    )
    assert seeded.status_code == 200
    created = await client.post(
        "/_simulator/orders",
        json={"line_items": [{"sku": "T", "quantity": 2, "price": "3.00"}], "customer": {"email": "a@example.com"}},
    )
    assert created.status_code == 201
    order = created.json()
    assert order["line_items"][0]["sku"] == "T" and order["email"] == "a@example.com"
    sold = await client.post("/_simulator/inventory", json={"sku": "T", "location": "Main", "delta": -1})
    assert sold.json()["available"] == 2
    refunded = await client.post(
        f"/_simulator/orders/{order['id']}/refunds",
        json={"line_items": [{"sku": "T", "quantity": 1, "restock_type": "CANCEL"}]},
    )
    assert refunded.status_code == 201 and refunded.json()["refund_line_items"][0]["restock_type"] == "cancel"
    cancelled = await client.post(f"/_simulator/orders/{order['id']}/cancel", json={"reason": "CUSTOMER"})
    assert cancelled.json()["cancelled_at"] is not None
    levels = (await client.get("/_simulator/inventory", params={"sku": "T", "location": "Main"})).json()
    assert [(lv["available"], lv["committed"], lv["on_hand"]) for lv in levels] == [(4, 0, 4)]
    assert (await client.get("/_simulator/orders/nope")).status_code == 404
    assert (
        await client.post("/_simulator/orders", json={"line_items": [{"sku": "T", "quantity": 0}]})
    ).status_code == 422
    config = await client.patch("/_simulator/config", json={"access_token": "shpat_new", "plan": "advanced"})
    assert config.json()["restore_rate"] == 200.0
    response = await client.post(
        GRAPHQL, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": "shpat_new"}
    )
    assert response.status_code == 200
    assert (await client.get("/_simulator/counters")).json()["requests"] == 1
    assert (await client.post("/_simulator/counters/reset")).json()["requests"] == 0


async def test_it_serves_on_a_real_port() -> None:
    sim = ShopifySimulator(access_token=TOKEN)
    sim.store.seed(SEED)
    async with serve(sim) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            GRAPHQL, json={"query": "{ shop { myshopifyDomain } }"}, headers={"X-Shopify-Access-Token": TOKEN}
        )
    assert base_url.startswith("http://127.0.0.1:")
    assert response.json()["data"]["shop"]["myshopifyDomain"] == "jxc-sim.myshopify.com"


CHARGES = """
query($id: ID!) {
  order(id: $id) {
    taxesIncluded
    totalPriceSet { shopMoney { amount currencyCode } }
    subtotalPriceSet { shopMoney { amount } }
    totalShippingPriceSet { shopMoney { amount } }
    totalDiscountsSet { shopMoney { amount } }
    shippingLines(first: 5) {
      nodes { title originalPriceSet { shopMoney { amount } } discountedPriceSet { shopMoney { amount } } }
    }
    discountApplications(first: 5) {
      nodes {
        index targetSelection targetType allocationMethod
        value { ... on MoneyV2 { amount currencyCode } }
        ... on DiscountCodeApplication { code }
        ... on ManualDiscountApplication { title }
      }
    }
    lineItems(first: 5) {
      nodes {
        sku
        discountAllocations {
          allocatedAmountSet { shopMoney { amount } }
          discountApplication { index targetSelection }
        }
      }
    }
  }
}
"""


async def test_an_orders_shipping_and_order_discounts_are_served_as_shopify_has_them(shop: Shop) -> None:
    order = shop.store.create_order(
        [{"sku": "TEA-1", "quantity": 3}, {"sku": "CUP-S", "quantity": 1}],
        location="Shanghai DC",
        shipping_lines=[{"title": "Express", "price": "9.90"}],
        discounts=[{"amount": "5.55", "code": "WELCOME"}, {"amount": "1.00", "title": "Sorry"}],
    )
    node = (await shop.gql(CHARGES, id=order.id))["data"]["order"]
    amounts = {k: node[k]["shopMoney"]["amount"] for k in node if k.endswith("Set")}
    # 37.50 + 18.00 − 6.55 = 48.95, plus 9.90 shipping
    assert amounts == {
        "totalPriceSet": "58.85",
        "subtotalPriceSet": "48.95",
        "totalShippingPriceSet": "9.90",
        "totalDiscountsSet": "6.55",
    }
    assert node["taxesIncluded"] is False
    assert [(s["title"], s["discountedPriceSet"]["shopMoney"]["amount"]) for s in node["shippingLines"]["nodes"]] == [
        ("Express", "9.90")
    ]
    codes = [
        (d["index"], d["targetSelection"], d.get("code"), d.get("title"), d["value"]["amount"])
        for d in node["discountApplications"]["nodes"]
    ]
    assert codes == [(0, "ALL", "WELCOME", None, "5.55"), (1, "ALL", None, "Sorry", "1.00")]
    # Allocated across the line items by value; every cent of each discount is allocated.
    allocated = [
        [a["allocatedAmountSet"]["shopMoney"]["amount"] for a in line["discountAllocations"]]
        for line in node["lineItems"]["nodes"]
    ]
    assert allocated == [["3.75", "0.68"], ["1.80", "0.32"]]
    with pytest.raises(ValueError):
        shop.store.create_order([{"sku": "TEA-1", "quantity": 1}], discounts=[{"amount": "12.51"}])
