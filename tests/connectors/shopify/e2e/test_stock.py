"""Stock out: the store offers what the hub's channel allocation says, and stays so."""

from __future__ import annotations

from tests.connectors.shopify.e2e.support import CONNECTOR, Stack, local, ok, sqlite_only

#: What the store offers under the default allocation (all of it): the hub's stock.
ALL_OF_IT = {("TEA", "Shanghai DC"): 100, ("TEA", "Hangzhou Store"): 20, ("CUP", "Shanghai DC"): 40}


async def offered(stack: Stack, expected: dict[tuple[str, str], int], what: str) -> None:
    """Wait until the store's ``available`` shows ``expected``."""

    async def matches() -> bool:
        levels = await stack.available()
        return all(levels[key] == value for key, value in expected.items())

    await stack.wait(matches, what)


#: 50 % of the stock, less 1; CUP: all of it, capped at 25, less 2.
SHARE = {"percent": 50, "buffer": 1, "skus": {"CUP": {"percent": 100, "cap": 25, "buffer": 2}}}


@local
async def test_the_store_offers_the_channels_share_and_follows_the_hub(stack: Stack) -> None:
    await stack.add_connector(mappings=stack.mappings(**SHARE))
    await the_store_follows_the_hub(stack)


async def the_store_follows_the_hub(stack: Stack) -> None:
    """With the connector added under :data:`SHARE`: the first push, then hub changes."""
    expected = {
        # TEA: 50 % of 120 − 1 = 59, split by stock (SH 100, HZ 20), the remainder to SH.
        ("TEA", "Shanghai DC"): 50,
        ("TEA", "Hangzhou Store"): 9,
        ("CUP", "Shanghai DC"): 23,  # min(25, 100 % of 40) − 2
        ("MUG", "Shanghai DC"): 0,
    }
    await offered(stack, expected, "the first reconciliation's stock in the store")
    levels = await stack.available()
    assert levels[("TEA", "Beijing Store")] == 4, "an unmapped location is left alone"
    assert levels[("GHOST", "Shanghai DC")] == 5, "a SKU the hub lacks is left alone"

    await stack.receive("SH", {"TEA": 20})  # TEA: 50 % of 140 − 1 = 69 → SH 60, HZ 9
    await offered(stack, {("TEA", "Shanghai DC"): 60, ("TEA", "Hangzhou Store"): 9}, "a receipt in the store")
    await stack.sell("SH", "CUP", 30)  # CUP: min(25, 10) − 2 = 8
    await offered(stack, {("CUP", "Shanghai DC"): 8}, "a sale in the store")


@local
async def test_a_change_on_the_platform_during_a_write_is_read_again_not_overwritten(stack: Stack) -> None:
    await stack.add_connector()
    await offered(stack, ALL_OF_IT, "the first reconciliation")
    writes = len(stack.wiretap.of("InventorySet"))
    till = stack.location("Shanghai DC")
    # The moment the hub's next write arrives, a till sale takes 3 TEA in the store.
    stack.wiretap.before_next("InventorySet", lambda: stack.sim.store.adjust_inventory("TEA", till, delta=-3))

    await stack.receive("SH", {"TEA": 10})
    await offered(stack, {("TEA", "Shanghai DC"): 110}, "the receipt in the store")
    refused, accepted = stack.wiretap.of("InventorySet")[writes:]
    assert [e["code"] for e in refused.answer["data"]["inventorySetQuantities"]["userErrors"]] == [
        "COMPARE_QUANTITY_STALE"
    ]
    assert _compare(refused, till) == 100, "the first write expected what the store had when read"
    assert _compare(accepted, till) == 97, "the second was made against the store's level read again"
    assert accepted.answer["data"]["inventorySetQuantities"]["userErrors"] == []


def _compare(exchange: object, location: str) -> int:
    quantities = exchange.variables["input"]["quantities"]  # type: ignore[attr-defined]
    (compare,) = [q["compareQuantity"] for q in quantities if q["locationId"] == location]
    return int(compare)


@sqlite_only
async def test_a_second_reconciliation_with_nothing_changed_writes_nothing(stack: Stack) -> None:
    await stack.add_connector()
    await offered(stack, ALL_OF_IT, "the first reconciliation")
    writes = len(stack.wiretap.of("InventorySet"))

    again = ok(await stack.api.post(f"/v1/connectors/{CONNECTOR}/reconcile", params={"entity": "stock"}))
    assert again["status"] == "succeeded" and again["writes"] == 0, again
    assert again["counts"]["update"] == again["counts"]["create"] == 0, again
    assert len(stack.wiretap.of("InventorySet")) == writes, "no write reached the store"
    (latest,) = (await stack.runs("stock"))[:1]
    assert (latest["id"], latest["writes"], latest["trigger"]) == (again["id"], 0, "api")

    # Drift (an edit in the store's admin) is repaired by the next one — with one write.
    stack.sim.store.adjust_inventory("TEA", stack.location("Hangzhou Store"), available=999)
    repaired = ok(await stack.api.post(f"/v1/connectors/{CONNECTOR}/reconcile", params={"entity": "stock"}))
    assert (repaired["writes"], repaired["counts"]["update"]) == (1, 1), repaired
    assert (await stack.available())[("TEA", "Hangzhou Store")] == 20


@sqlite_only
async def test_channel_stock_in_bulk_answers_304_while_unchanged(stack: Stack) -> None:
    await stack.add_connector(mappings=stack.mappings(percent=50))
    path = f"/v1/channels/{CONNECTOR}/stock"
    first = await stack.api.get(path, params={"skus": "TEA,CUP,NOPE"})
    body = ok(first)
    assert {row["sku"]: row["available_to_sell"] for row in body["items"]} == {"TEA": 60, "CUP": 20}
    etag = first.headers["ETag"]

    same = await stack.api.get(path, params={"skus": "TEA,CUP,NOPE"}, headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.headers["ETag"] == etag and same.content == b""

    await stack.sell("SH", "CUP", 10)
    changed = await stack.api.get(path, params={"skus": "TEA,CUP,NOPE"}, headers={"If-None-Match": etag})
    assert {row["sku"]: row["available_to_sell"] for row in ok(changed)["items"]} == {"TEA": 60, "CUP": 15}
    assert changed.headers["ETag"] != etag
