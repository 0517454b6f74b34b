"""Sales orders: reservation, credit holds, shipments, cancellation, returns, lists."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.support import (
    assert_problem,
    create,
    events,
    no_new_events,
    sales_body,
    sell,
    stock,
    walk,
    writes_nothing,
)

SO = "/v1/sales-orders"


async def test_a_confirmed_order_reserves_every_line(seed: httpx.AsyncClient) -> None:
    seen = len(await events(seed))
    order = await sell(seed, ("TEA", 5, "4.50"), ("RICE", 2.5, "6"), channel="shop", external_id="#1001")
    assert (order["status"], order["customer"], order["warehouse"], order["channel"], order["external_id"]) == (
        "confirmed",
        "C1",
        "SH",
        "shop",
        "#1001",
    )
    assert order["total"] == "37.50" and order["hold_reason"] is None
    assert [
        (x["line_no"], x["sku"], x["qty"], x["unit_price"], x["reserved"], x["shipped"]) for x in order["lines"]
    ] == [
        (1, "TEA", 5, "4.50", 5, 0),
        (2, "RICE", 2.5, "6.00", 2.5, 0),
    ]
    assert (await seed.get(f"{SO}/{order['id']}")).json() == order
    tea = await stock(seed, "TEA")
    assert (tea["on_hand"], tea["reserved"], tea["available"]) == (20, 5, 15)
    assert (await stock(seed, "RICE"))["available"] == 10
    new = (await events(seed))[seen:]
    assert new[0]["type"] == "sales_order.confirmed" and new[0]["aggregate_id"] == str(order["id"])
    assert new[0]["payload"]["external_id"] == "#1001"
    assert sorted(e["aggregate_id"] for e in new if e["type"] == "stock.level_changed") == ["RICE", "TEA"]


async def test_short_lines_refuse_the_whole_order(seed: httpx.AsyncClient) -> None:
    await sell(seed, ("TEA", 15, "4"))  # leaves 5 TEA available
    async with writes_nothing(seed):
        response = await seed.post(SO, json=sales_body(("RICE", 1, "6"), ("TEA", 6, "4"), ("MUG", 2, "9")))
        body = assert_problem(response, 409, "lines[1].qty", "lines[2].qty")
    assert body["type"].endswith("insufficient-stock")
    assert body["shortages"] == [
        {"line": 1, "field": "lines[1].qty", "sku": "TEA", "warehouse": "SH", "requested": 6, "available": 5},
        {"line": 2, "field": "lines[2].qty", "sku": "MUG", "warehouse": "SH", "requested": 2, "available": 0},
    ]
    assert (await stock(seed, "RICE"))["reserved"] == 0  # the line that fitted was not reserved either


BAD_ORDERS: list[tuple[dict[str, Any], int, str]] = [
    ({"customer": "NOPE"}, 422, "customer"),
    ({"customer": "ACME"}, 422, "customer"),  # a supplier is not a customer
    ({"warehouse": "NOPE"}, 422, "warehouse"),
    ({"warehouse": "customer"}, 422, "warehouse"),
    (
        {"lines": [{"sku": "TEA", "qty": 1, "unit_price": "1"}, {"sku": "NOPE", "qty": 1, "unit_price": "1"}]},
        422,
        "lines[1].sku",
    ),
    (
        {"lines": [{"sku": "TEA", "qty": 1, "unit_price": "1"}, {"sku": "TEA", "qty": 1, "unit_price": "1"}]},
        422,
        "lines[1].sku",
    ),
    ({"lines": [{"sku": "TEA", "qty": 0, "unit_price": "1"}]}, 422, "lines[0].qty"),
    ({"lines": [{"sku": "TEA", "qty": -1, "unit_price": "1"}]}, 422, "lines[0].qty"),
    ({"lines": [{"sku": "TEA", "qty": 1, "unit_price": "-1"}]}, 422, "lines[0].unit_price"),
    ({"lines": [{"sku": "TEA", "qty": 1.0000001, "unit_price": "1"}]}, 422, "lines[0].qty"),
    ({"lines": [{"qty": 1, "unit_price": "1"}]}, 422, "lines[0].sku"),
    ({"lines": []}, 422, "lines"),
    ({"channel": ""}, 422, "channel"),
    ({"external_id": "x" * 129}, 422, "external_id"),
    ({"customer": None}, 422, "customer"),
]


async def test_bad_orders_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    async with writes_nothing(seed):
        for change, status, field in BAD_ORDERS:
            with subtests.test(field=field, change=change):
                async with no_new_events(seed):
                    assert_problem(await seed.post(SO, json=sales_body(("TEA", 1, "5")) | change), status, field)


async def test_a_channel_order_is_taken_once(seed: httpx.AsyncClient) -> None:
    first = await sell(seed, ("TEA", 1, "5"), channel="shop", external_id="#7")
    async with writes_nothing(seed):
        again = await seed.post(SO, json=sales_body(("TEA", 2, "5"), channel="shop", external_id="#7"))
        body = assert_problem(again, 409, "external_id")
    assert str(first["id"]) in body["detail"]
    other = await sell(seed, ("TEA", 1, "5"), channel="market", external_id="#7")  # another channel's #7
    assert other["id"] != first["id"]


async def test_over_the_credit_limit_the_order_waits_on_hold(seed: httpx.AsyncClient) -> None:
    first = await sell(seed, ("TEA", 10, "6"), customer="C2")  # 60.00 of 100.00
    assert first["status"] == "confirmed"
    held = await sell(seed, ("TEA", 5, "9"), customer="C2")  # 60 + 45 > 100
    assert held["status"] == "on_hold" and "credit limit" in held["hold_reason"]
    assert [line["reserved"] for line in held["lines"]] == [0]
    assert (await stock(seed, "TEA"))["reserved"] == 10
    assert (await events(seed))[-1]["type"] == "sales_order.on_hold"
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{SO}/{held['id']}/shipments", json={"lines": [{"sku": "TEA", "qty": 1}]}), 409)

    released = await create(seed, f"{SO}/{held['id']}/approve", status=200)
    assert (released["status"], released["hold_reason"], released["lines"][0]["reserved"]) == ("confirmed", None, 5)
    assert (await stock(seed, "TEA"))["reserved"] == 15
    assert "sales_order.confirmed" in [e["type"] for e in (await events(seed))[-3:]]
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{SO}/{held['id']}/approve"), 409)
        assert_problem(await seed.post(f"{SO}/{first['id']}/approve"), 409)  # never held


async def test_cancelling_a_held_order_frees_the_credit(seed: httpx.AsyncClient) -> None:
    await sell(seed, ("TEA", 10, "6"), customer="C2")
    held = await sell(seed, ("TEA", 5, "9"), customer="C2")
    assert (await create(seed, f"{SO}/{held['id']}/cancel", status=200))["status"] == "cancelled"
    assert (await sell(seed, ("TEA", 5, "8"), customer="C2"))["status"] == "confirmed"  # 60 + 40 fits


async def test_approving_a_hold_without_the_stock_is_409_and_keeps_it_held(seed: httpx.AsyncClient) -> None:
    held = await sell(seed, ("TEA", 12, "10"), customer="C2")  # 120.00 > 100.00
    assert held["status"] == "on_hold"
    await sell(seed, ("TEA", 10, "1"))  # C1 takes half the stock meanwhile
    async with writes_nothing(seed):
        body = assert_problem(await seed.post(f"{SO}/{held['id']}/approve"), 409, "lines[0].qty")
    assert body["shortages"][0]["available"] == 10
    assert (await seed.get(f"{SO}/{held['id']}")).json()["status"] == "on_hold"


async def test_ship_in_parts(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 5, "4"), ("RICE", 2, "6"))
    path = f"{SO}/{order['id']}/shipments"
    part = await create(seed, path, {"lines": [{"sku": "TEA", "qty": 3}], "carrier": "SF", "tracking": "SF123"})
    assert part["status"] == "partially_shipped"
    assert [(x["sku"], x["reserved"], x["shipped"]) for x in part["lines"]] == [("TEA", 2, 3), ("RICE", 2, 0)]
    [shipment] = part["shipments"]
    assert (shipment["sales_order_id"], shipment["carrier"], shipment["tracking"]) == (order["id"], "SF", "SF123")
    assert shipment["lines"] == [{"sku": "TEA", "qty": 3, "cost": "6.00"}]  # at average cost 2.00
    tea = await stock(seed, "TEA")
    assert (tea["on_hand"], tea["reserved"], tea["available"]) == (17, 2, 15)
    created = [e for e in await events(seed) if e["type"] == "shipment.created"]
    assert [e["payload"]["tracking"] for e in created] == ["SF123"]

    done = await create(seed, path, {"lines": [{"sku": "RICE", "qty": 2}, {"sku": "TEA", "qty": 2}]})
    assert done["status"] == "shipped" and len(done["shipments"]) == 2
    assert (await stock(seed, "TEA"))["reserved"] == 0
    async with writes_nothing(seed):
        assert_problem(await seed.post(path, json={"lines": [{"sku": "TEA", "qty": 1}]}), 409)
        assert_problem(await seed.post(f"{SO}/{order['id']}/cancel"), 409)


BAD_SHIPMENTS: list[tuple[dict[str, Any], str]] = [
    ({"lines": [{"sku": "TEA", "qty": 6}]}, "lines[0].qty"),
    ({"lines": [{"sku": "RICE", "qty": 1}, {"sku": "TEA", "qty": 9}]}, "lines[1].qty"),
    ({"lines": [{"sku": "MUG", "qty": 1}]}, "lines[0].sku"),
    ({"lines": [{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": 1}]}, "lines[1].sku"),
    ({"lines": [{"sku": "TEA", "qty": 0}]}, "lines[0].qty"),
    ({"lines": [{"sku": "TEA", "qty": -2}]}, "lines[0].qty"),
    ({"lines": []}, "lines"),
    ({"lines": [{"sku": "TEA", "qty": 1}], "carrier": ""}, "carrier"),
    ({"lines": [{"sku": "TEA", "qty": 1}], "weight": 3}, "weight"),
]


async def test_bad_shipments_are_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    order = await sell(seed, ("TEA", 5, "4"), ("RICE", 2, "6"))
    async with writes_nothing(seed):
        for body, field in BAD_SHIPMENTS:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post(f"{SO}/{order['id']}/shipments", json=body), 422, field)
    assert (await seed.get(f"{SO}/{order['id']}")).json()["shipments"] == []


async def test_cancel_releases_what_is_still_reserved(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 5, "4"))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    cancelled = await create(seed, f"{SO}/{order['id']}/cancel", status=200)
    assert cancelled["status"] == "cancelled" and cancelled["lines"][0]["reserved"] == 0
    tea = await stock(seed, "TEA")
    assert (tea["on_hand"], tea["reserved"], tea["available"]) == (18, 0, 18)
    assert "sales_order.cancelled" in [e["type"] for e in await events(seed)]
    async with writes_nothing(seed):
        for action in ("cancel", "approve"):
            assert_problem(await seed.post(f"{SO}/{order['id']}/{action}"), 409)
        assert_problem(
            await seed.post(f"{SO}/{order['id']}/shipments", json={"lines": [{"sku": "TEA", "qty": 1}]}), 409
        )


async def test_returns_up_to_what_was_shipped(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 5, "4"), ("RICE", 2, "6"))
    path = f"{SO}/{order['id']}/returns"
    async with writes_nothing(seed):  # nothing shipped yet, nothing to take back
        assert_problem(
            await seed.post(path, json={"lines": [{"sku": "TEA", "qty": 1, "restock": True}]}), 422, "lines[0].qty"
        )
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 4}]})
    assert (await stock(seed, "TEA"))["on_hand"] == 16

    back = await create(seed, path, {"lines": [{"sku": "TEA", "qty": 2, "restock": True}]})
    assert back["lines"][0]["returned"] == 2
    [ret] = back["returns"]
    assert ret["lines"] == [{"sku": "TEA", "qty": 2, "restock": True, "cost": "4.00"}]
    assert (await stock(seed, "TEA"))["on_hand"] == 18
    scrapped = await create(seed, path, {"lines": [{"sku": "TEA", "qty": 1, "restock": False}]})
    assert scrapped["lines"][0]["returned"] == 3 and len(scrapped["returns"]) == 2
    assert (await stock(seed, "TEA"))["on_hand"] == 18  # scrap does not come back on the shelf
    moves = await walk(seed, "/v1/stock/moves", cursor_param="after", sku="TEA")
    assert [(m["from_location"], m["to_location"], m["qty"]) for m in moves[-2:]] == [
        ("customer", "SH", 2),
        ("customer", "inventory-loss", 1),
    ]
    assert [e["type"] for e in await events(seed)].count("return.received") == 2

    async with writes_nothing(seed):  # 4 shipped − 3 returned leaves 1
        response = await seed.post(path, json={"lines": [{"sku": "TEA", "qty": 2, "restock": True}]})
        assert_problem(response, 422, "lines[0].qty")


async def test_reduce_lowers_lines_and_releases_their_reservation(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 5, "4"), ("RICE", 2, "6"))
    path = f"{SO}/{order['id']}/reduce"
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    reduced = await create(seed, path, {"lines": [{"sku": "TEA", "qty": 3}]}, status=200)
    assert [(x["sku"], x["qty"], x["reserved"], x["shipped"]) for x in reduced["lines"]] == [
        ("TEA", 3, 1, 2),
        ("RICE", 2, 2, 0),
    ]
    assert reduced["status"] == "partially_shipped" and reduced["total"] == "24.00"
    tea = await stock(seed, "TEA")
    assert (tea["on_hand"], tea["reserved"], tea["available"]) == (18, 1, 17)
    assert "sales_order.reduced" in [e["type"] for e in await events(seed)]

    async with writes_nothing(seed):
        for lines, field in [
            ([{"sku": "TEA", "qty": 1}], "lines[0].qty"),  # below the 2 shipped
            ([{"sku": "TEA", "qty": 3}], "lines[0].qty"),  # not lower than it is
            ([{"sku": "MUG", "qty": 0}], "lines[0].sku"),  # not on the order
            ([{"sku": "RICE", "qty": -1}], "lines[0].qty"),
            ([], "lines"),
        ]:
            async with no_new_events(seed):
                assert_problem(await seed.post(path, json={"lines": lines}), 422, field)

    done = await create(seed, path, {"lines": [{"sku": "TEA", "qty": 2}, {"sku": "RICE", "qty": 0}]}, status=200)
    assert done["status"] == "shipped" and [x["reserved"] for x in done["lines"]] == [0, 0]
    assert (await stock(seed, "RICE"))["reserved"] == 0
    async with writes_nothing(seed):  # a shipped order is closed
        assert_problem(await seed.post(path, json={"lines": [{"sku": "TEA", "qty": 2}]}), 409)


async def test_reducing_every_line_to_zero_cancels_the_order(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 5, "4"))
    reduced = await create(seed, f"{SO}/{order['id']}/reduce", {"lines": [{"sku": "TEA", "qty": 0}]}, status=200)
    assert reduced["status"] == "cancelled" and (await stock(seed, "TEA"))["reserved"] == 0
    assert "sales_order.cancelled" in [e["type"] for e in await events(seed)]


BAD_RETURNS: list[tuple[list[Any], str]] = [
    ([{"sku": "RICE", "qty": 1, "restock": True}], "lines[0].qty"),  # on the order, never shipped
    ([{"sku": "MUG", "qty": 1, "restock": True}], "lines[0].sku"),
    # One SKU on two lines with the same disposition; two lines together past what shipped.
    ([{"sku": "TEA", "qty": 1, "restock": False}, {"sku": "TEA", "qty": 1, "restock": False}], "lines[1].sku"),
    ([{"sku": "TEA", "qty": 3, "restock": True}, {"sku": "TEA", "qty": 3, "restock": False}], "lines[1].qty"),
    ([{"sku": "TEA", "qty": 1}], "lines[0].restock"),
    ([{"sku": "TEA", "qty": 0, "restock": True}], "lines[0].qty"),
    ([{"sku": "TEA", "qty": 1, "restock": "maybe"}], "lines[0].restock"),
    ([], "lines"),
]


async def test_bad_returns_are_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    order = await sell(seed, ("TEA", 5, "4"), ("RICE", 2, "6"))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 5}]})
    async with writes_nothing(seed):
        for lines, field in BAD_RETURNS:
            with subtests.test(field=field, lines=lines):
                async with no_new_events(seed):
                    assert_problem(await seed.post(f"{SO}/{order['id']}/returns", json={"lines": lines}), 422, field)


async def test_one_sku_comes_back_part_restocked_part_scrapped(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 5, "4"))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 5}]})
    lines = [{"sku": "TEA", "qty": 1, "restock": True}, {"sku": "TEA", "qty": 1, "restock": False}]
    done = await create(seed, f"{SO}/{order['id']}/returns", {"lines": lines})
    assert done["lines"][0]["returned"] == 2
    assert [(x["sku"], x["qty"], x["restock"], x["cost"]) for x in done["returns"][0]["lines"]] == [
        ("TEA", 1, True, "2.00"),
        ("TEA", 1, False, "2.00"),
    ]
    assert (await stock(seed, "TEA"))["on_hand"] == 16  # 20 − 5 shipped + 1 restocked
    returned = [e for e in await events(seed) if e["type"] == "return.received"]
    assert [line["restock"] for line in returned[0]["payload"]["lines"]] == [True, False]


async def test_unknown_sales_order_is_404(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.get(f"{SO}/424242"), 404)
        for action in ("approve", "cancel"):
            assert_problem(await seed.post(f"{SO}/424242/{action}"), 404)
        assert_problem(await seed.post(f"{SO}/424242/shipments", json={"lines": [{"sku": "TEA", "qty": 1}]}), 404)
        assert_problem(
            await seed.post(f"{SO}/424242/returns", json={"lines": [{"sku": "TEA", "qty": 1, "restock": True}]}), 404
        )
        assert_problem(await seed.get(f"{SO}/4294967296"), 422, "order_id")


async def test_list_filters_newest_first(seed: httpx.AsyncClient) -> None:
    a = await sell(seed, ("TEA", 1, "5"), channel="shop", external_id="A-1")
    b = await sell(seed, ("TEA", 1, "5"), channel="shop", external_id="A-2")
    c = await sell(seed, ("TEA", 1, "5"), channel="market", external_id="A-1")
    d = await sell(seed, ("TEA", 1, "5"), customer="C2")
    await create(seed, f"{SO}/{b['id']}/cancel", status=200)

    def ids(orders: list[dict[str, Any]]) -> list[int]:
        return [o["id"] for o in orders]

    assert ids(await walk(seed, SO)) == [d["id"], c["id"], b["id"], a["id"]]
    assert ids(await walk(seed, SO, channel="shop")) == [b["id"], a["id"]]
    assert ids(await walk(seed, SO, channel="shop", external_id="A-1")) == [a["id"]]
    assert ids(await walk(seed, SO, external_id="A-1")) == [c["id"], a["id"]]
    assert ids(await walk(seed, SO, status="cancelled")) == [b["id"]]
    assert ids(await walk(seed, SO, status="confirmed", customer="C1")) == [c["id"], a["id"]]
    assert ids(await walk(seed, SO, customer="C2")) == [d["id"]]
    assert await walk(seed, SO, channel="nowhere") == []
    # Lists show each order as its own page does.
    [listed] = (await seed.get(SO, params={"customer": "C2"})).json()["items"]
    assert listed == (await seed.get(f"{SO}/{d['id']}")).json()


async def test_pages_walk_every_order_once_newest_first(seed: httpx.AsyncClient) -> None:
    made = [(await sell(seed, ("TEA", 1, "5")))["id"] for _ in range(7)]
    first = (await seed.get(SO, params={"limit": 3})).json()
    assert [o["id"] for o in first["items"]] == made[::-1][:3]
    second = (await seed.get(SO, params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert [o["id"] for o in second["items"]] == made[::-1][3:6]
    walked = [o["id"] for o in await walk(seed, SO, limit=3)]
    assert walked == made[::-1] and len(set(walked)) == 7
    # An order placed while paging shows up on no later page (pages go back in time).
    newer = await sell(seed, ("TEA", 1, "5"))
    third = (await seed.get(SO, params={"limit": 3, "cursor": second["next_cursor"]})).json()
    assert [o["id"] for o in third["items"]] == [made[0]] and newer["id"] not in [o["id"] for o in third["items"]]
    assert third["next_cursor"] is None


async def test_bad_list_queries_are_422(seed: httpx.AsyncClient) -> None:
    for params, field in [
        ({"status": "lost"}, "status"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJURUEiLCAiU0giXQ"}, "cursor"),  # a /v1/stock cursor
        ({"limit": -1}, "limit"),
        ({"limit": "ten"}, "limit"),
    ]:
        assert_problem(await seed.get(SO, params=params), 422, field)
