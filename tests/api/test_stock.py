"""The read side: stock levels, a SKU's totals and value, the ledger, alerts, the event feed."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.api.support import assert_problem, create, events, purchase, sell, walk


async def test_stock_rows_per_sku_and_warehouse(seed: httpx.AsyncClient) -> None:
    await sell(seed, ("TEA", 4, "5"))
    await create(
        seed, "/v1/transfers", {"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "TEA", "qty": 6}]}
    )
    rows = (await seed.get("/v1/stock")).json()
    assert rows == {
        "items": [
            {"sku": "RICE", "warehouse": "SH", "on_hand": 12.5, "reserved": 0, "available": 12.5, "in_transit": 0},
            {"sku": "TEA", "warehouse": "BJ", "on_hand": 0, "reserved": 0, "available": 0, "in_transit": 6},
            {"sku": "TEA", "warehouse": "SH", "on_hand": 14, "reserved": 4, "available": 10, "in_transit": 0},
        ],
        "next_cursor": None,
    }
    assert [(r["sku"], r["warehouse"]) for r in await walk(seed, "/v1/stock", sku="TEA")] == [
        ("TEA", "BJ"),
        ("TEA", "SH"),
    ]
    assert [(r["sku"], r["warehouse"]) for r in await walk(seed, "/v1/stock", warehouse="SH")] == [
        ("RICE", "SH"),
        ("TEA", "SH"),
    ]
    assert [r["sku"] for r in await walk(seed, "/v1/stock", sku="TEA", warehouse="BJ")] == ["TEA"]
    assert await walk(seed, "/v1/stock", sku="NOPE") == []


async def test_stock_pages_by_sku_then_warehouse(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/warehouses", {"code": "GZ", "name": "Guangzhou"})
    for warehouse in ("BJ", "GZ"):
        await purchase(seed, [("TEA", 1, "2"), ("MUG", 1, "3")], warehouse=warehouse)
    expected = [("MUG", "BJ"), ("MUG", "GZ"), ("RICE", "SH"), ("TEA", "BJ"), ("TEA", "GZ"), ("TEA", "SH")]
    for limit in (1, 2, 4):
        assert [(r["sku"], r["warehouse"]) for r in await walk(seed, "/v1/stock", limit=limit)] == expected
    for cursor in ("x", "WyJURUEiXQ", "MTI"):  # junk, a one-element list, the number 12
        assert_problem(await seed.get("/v1/stock", params={"cursor": cursor}), 422, "cursor")


async def test_a_skus_totals_value_it_at_moving_average_cost(seed: httpx.AsyncClient) -> None:
    await purchase(seed, [("TEA", 10, "3.50")], warehouse="BJ")  # (20 × 2.00 + 10 × 3.50) / 30 = 2.50
    await sell(seed, ("TEA", 3, "9"))
    summary = (await seed.get("/v1/stock/TEA")).json()
    assert summary == {
        "sku": "TEA",
        "on_hand": 30,
        "reserved": 3,
        "available": 27,
        "in_transit": 0,
        "average_cost": "2.50",
        "stock_value": "75.00",
        "warehouses": [
            {"sku": "TEA", "warehouse": "BJ", "on_hand": 10, "reserved": 0, "available": 10, "in_transit": 0},
            {"sku": "TEA", "warehouse": "SH", "on_hand": 20, "reserved": 3, "available": 17, "in_transit": 0},
        ],
    }
    rice = (await seed.get("/v1/stock/RICE")).json()
    assert (rice["on_hand"], rice["average_cost"], rice["stock_value"]) == (12.5, "3.00", "37.50")
    mug = (await seed.get("/v1/stock/MUG")).json()  # a product that never had stock
    assert (mug["on_hand"], mug["average_cost"], mug["stock_value"], mug["warehouses"]) == (0, "0.00", "0.00", [])
    assert_problem(await seed.get("/v1/stock/NOPE"), 404)


async def test_the_ledger_oldest_first(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 2, "5"))
    await create(seed, f"/v1/sales-orders/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    moves = (await seed.get("/v1/stock/moves")).json()["items"]
    assert [(m["sku"], m["from_location"], m["to_location"], m["qty"], m["unit_cost"], m["value"]) for m in moves] == [
        ("TEA", "supplier", "SH", 20, "2.00", "40.00"),
        ("RICE", "supplier", "SH", 12.5, "3.00", "37.50"),
        ("TEA", "SH", "customer", 2, "2.00", "4.00"),
    ]
    assert [m["reference"]["type"] for m in moves] == ["receipt", "receipt", "shipment"]
    assert (
        moves[2]["reference"]["id"] == (await seed.get(f"/v1/sales-orders/{order['id']}")).json()["shipments"][0]["id"]
    )
    assert [m["id"] for m in moves] == sorted(m["id"] for m in moves)
    assert [m["id"] for m in await walk(seed, "/v1/stock/moves", cursor_param="after", sku="TEA")] == [
        moves[0]["id"],
        moves[2]["id"],
    ]
    after_first = (await seed.get("/v1/stock/moves", params={"after": moves[0]["id"]})).json()["items"]
    assert [m["id"] for m in after_first] == [moves[1]["id"], moves[2]["id"]]
    page = (await seed.get("/v1/stock/moves", params={"limit": 2})).json()
    assert [m["id"] for m in page["items"]] == [moves[0]["id"], moves[1]["id"]] and page["next_cursor"] == str(
        moves[1]["id"]
    )
    assert [m["id"] for m in await walk(seed, "/v1/stock/moves", cursor_param="after", limit=1)] == [
        m["id"] for m in moves
    ]
    for params, field in [
        ({"after": -1}, "after"),
        ({"after": "x"}, "after"),
        ({"after": 2**63}, "after"),
        ({"limit": 0}, "limit"),
    ]:
        assert_problem(await seed.get("/v1/stock/moves", params=params), 422, field)


async def test_reorder_alerts_follow_the_stock(seed: httpx.AsyncClient) -> None:
    assert (await seed.get("/v1/alerts")).json() == {"items": [], "next_cursor": None}
    await create(seed, "/v1/products", {"sku": "PEN", "name": "Pen", "reorder_point": 5, "reorder_max": 20})
    [low] = (await seed.get("/v1/alerts")).json()["items"]
    assert (low["sku"], low["kind"], low["available"], low["on_order"], low["suggested_qty"]) == (
        "PEN",
        "low_stock",
        0,
        0,
        20,
    )
    assert (await events(seed))[-1]["type"] == "reorder_alert.raised"

    order = await create(
        seed,
        "/v1/purchase-orders",
        {"supplier": "ACME", "warehouse": "BJ", "lines": [{"sku": "PEN", "qty": 8, "unit_cost": "1"}]},
    )
    await create(seed, f"/v1/purchase-orders/{order['id']}/approve", status=200)
    [low] = (await seed.get("/v1/alerts")).json()["items"]
    assert (low["on_order"], low["suggested_qty"]) == (8, 12)  # what is on order counts

    await create(seed, f"/v1/purchase-orders/{order['id']}/receipts", {"lines": [{"sku": "PEN", "accepted": 8}]})
    assert (await seed.get("/v1/alerts")).json()["items"] == []
    assert "reorder_alert.cleared" in [e["type"] for e in (await events(seed))[-4:]]

    await seed.patch("/v1/products/TEA", json={"reorder_max": 10})  # 20 on hand is now too many
    [over] = (await seed.get("/v1/alerts")).json()["items"]
    assert (over["sku"], over["kind"]) == ("TEA", "overstock")
    assert (await seed.get("/v1/alerts", params={"kind": "low_stock"})).json()["items"] == []
    assert [a["sku"] for a in (await seed.get("/v1/alerts", params={"kind": "overstock"})).json()["items"]] == ["TEA"]
    assert_problem(await seed.get("/v1/alerts", params={"kind": "panic"}), 422, "kind")
    assert_problem(await seed.get("/v1/alerts", params={"cursor": "zz"}), 422, "cursor")


async def test_alerts_page(api: httpx.AsyncClient) -> None:
    for sku in ("A", "B", "C"):
        await create(api, "/v1/products", {"sku": sku, "name": sku, "reorder_point": 1})
    assert [a["sku"] for a in await walk(api, "/v1/alerts", limit=2)] == ["A", "B", "C"]


async def test_the_event_feed_oldest_first(seed: httpx.AsyncClient) -> None:
    feed = await events(seed)
    assert [e["seq"] for e in feed] == sorted({e["seq"] for e in feed})
    assert len({e["event_id"] for e in feed}) == len(feed)
    assert [e["type"] for e in feed[:3]] == ["warehouse.upserted", "warehouse.upserted", "supplier.upserted"]
    first = feed[0]
    assert (first["aggregate_type"], first["aggregate_id"], first["payload"]) == (
        "warehouse",
        "SH",
        {"code": "SH", "name": "Shanghai"},
    )
    assert first["tenant"] == "default" and first["version"] == 1 and first["occurred_at"]
    uuid.UUID(first["event_id"])

    page = (await seed.get("/v1/events", params={"limit": 4})).json()
    assert page["items"] == feed[:4] and page["next_cursor"] == str(feed[3]["seq"])
    assert (await seed.get("/v1/events", params={"after": page["next_cursor"], "limit": 2})).json()["items"] == feed[
        4:6
    ]
    # A consumer may resume from the last event_id it saw instead of the seq.
    assert (await seed.get("/v1/events", params={"after": feed[5]["event_id"], "limit": 1})).json()["items"] == [
        feed[6]
    ]
    assert await walk(seed, "/v1/events", cursor_param="after", limit=3) == feed
    tail = (await seed.get("/v1/events", params={"after": feed[-1]["seq"]})).json()
    assert tail == {"items": [], "next_cursor": None}


async def test_bad_event_positions_are_422(seed: httpx.AsyncClient) -> None:
    for after in ("nope", "-1", "²", str(uuid.uuid4()), str(2**63), "9" * 30):
        assert_problem(await seed.get("/v1/events", params={"after": after}), 422, "after")
    for limit in (0, 501):
        assert_problem(await seed.get("/v1/events", params={"limit": limit}), 422, "limit")


async def test_request_id_becomes_the_events_correlation_id(seed: httpx.AsyncClient) -> None:
    seen = len(await events(seed))
    response = await seed.post(
        "/v1/sales-orders",
        json={"customer": "C1", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "unit_price": "5"}]},
        headers={"X-Request-ID": "req-42"},
    )
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "req-42"
    caused = (await events(seed))[seen:]
    assert {e["type"] for e in caused} >= {"sales_order.confirmed", "stock.level_changed"}
    assert {e["correlation_id"] for e in caused} == {"req-42"}

    # Without one the hub makes one up, and tells the caller.
    response = await seed.post("/v1/warehouses", json={"code": "GZ", "name": "Guangzhou"})
    generated = response.headers["X-Request-ID"]
    assert generated and generated != "req-42"
    assert (await events(seed))[-1]["correlation_id"] == generated


async def test_events_payloads_carry_money_as_strings_and_quantities_as_numbers(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("RICE", 1.25, "4"))
    confirmed: dict[str, Any] = next(e for e in await events(seed) if e["type"] == "sales_order.confirmed")
    assert confirmed["aggregate_id"] == str(order["id"])
    assert confirmed["payload"]["total"] == "5.00"
    assert confirmed["payload"]["lines"] == [{"sku": "RICE", "qty": 1.25, "price": "4.00", "discount": "0.00"}]
