"""Transfers between warehouses and stock counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.support import assert_problem, create, events, no_new_events, sell, stock, walk, writes_nothing


def transfer_body(*lines: tuple[str, Any], source: str = "SH", destination: str = "BJ") -> dict[str, Any]:
    return {"from_warehouse": source, "to_warehouse": destination, "lines": [{"sku": s, "qty": q} for s, q in lines]}


async def test_a_transfer_ships_at_once_and_is_received_later(seed: httpx.AsyncClient) -> None:
    transfer = await create(seed, "/v1/transfers", transfer_body(("TEA", 5), ("RICE", 0.5)))
    assert (transfer["status"], transfer["from_warehouse"], transfer["to_warehouse"]) == ("in_transit", "SH", "BJ")
    assert transfer["lines"] == [{"sku": "TEA", "qty": 5}, {"sku": "RICE", "qty": 0.5}]
    assert transfer["shipped_at"] and transfer["received_at"] is None
    assert (await seed.get(f"/v1/transfers/{transfer['id']}")).json() == transfer
    assert (await stock(seed, "TEA", "SH"))["on_hand"] == 15
    bj = await stock(seed, "TEA", "BJ")
    assert (bj["on_hand"], bj["available"], bj["in_transit"]) == (0, 0, 5)
    totals = (await seed.get("/v1/stock/TEA")).json()
    assert (totals["on_hand"], totals["in_transit"], totals["stock_value"]) == (15, 5, "40.00")  # still ours
    assert "transfer.shipped" in [e["type"] for e in await events(seed)]

    received = await create(seed, f"/v1/transfers/{transfer['id']}/receive", status=200)
    assert received["status"] == "received" and received["received_at"] >= received["shipped_at"]
    assert (await seed.get(f"/v1/transfers/{transfer['id']}")).json() == received
    bj = await stock(seed, "TEA", "BJ")
    assert (bj["on_hand"], bj["available"], bj["in_transit"]) == (5, 5, 0)
    moves = await walk(seed, "/v1/stock/moves", cursor_param="after", sku="TEA")
    assert [(m["from_location"], m["to_location"], m["reference"]["type"]) for m in moves[-2:]] == [
        ("SH", "transit", "transfer"),
        ("transit", "BJ", "transfer"),
    ]
    assert [e["type"] for e in await events(seed)].count("transfer.received") == 1
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"/v1/transfers/{transfer['id']}/receive"), 409)


async def test_a_transfer_cannot_take_reserved_or_missing_stock(seed: httpx.AsyncClient) -> None:
    await sell(seed, ("TEA", 18, "5"))
    async with writes_nothing(seed):
        body = assert_problem(
            await seed.post("/v1/transfers", json=transfer_body(("RICE", 1), ("TEA", 3))), 409, "lines[1].qty"
        )
        assert body["shortages"] == [
            {"line": 1, "field": "lines[1].qty", "sku": "TEA", "warehouse": "SH", "requested": 3, "available": 2}
        ]
        assert_problem(await seed.post("/v1/transfers", json=transfer_body(("MUG", 1))), 409, "lines[0].qty")


BAD_TRANSFERS: list[tuple[dict[str, Any], str]] = [
    (transfer_body(("TEA", 1), destination="SH"), "to_warehouse"),
    (transfer_body(("TEA", 1), source="NOPE"), "from_warehouse"),
    (transfer_body(("TEA", 1), destination="NOPE"), "to_warehouse"),
    (transfer_body(("TEA", 1), destination="transit"), "to_warehouse"),
    (transfer_body(("TEA", 1), ("NOPE", 1)), "lines[1].sku"),
    (transfer_body(("TEA", 1), ("TEA", 1)), "lines[1].sku"),
    (transfer_body(("TEA", 0)), "lines[0].qty"),
    (transfer_body(("TEA", -1)), "lines[0].qty"),
    (transfer_body(), "lines"),
    ({"to_warehouse": "BJ", "lines": [{"sku": "TEA", "qty": 1}]}, "from_warehouse"),
]


async def test_bad_transfers_are_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    async with writes_nothing(seed):
        for body, field in BAD_TRANSFERS:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post("/v1/transfers", json=body), 422, field)


async def test_unknown_transfer_is_404(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.get("/v1/transfers/777"), 404)
        assert_problem(await seed.post("/v1/transfers/777/receive"), 404)
        assert_problem(await seed.post("/v1/transfers/2147483648/receive"), 422, "transfer_id")


async def test_a_count_posts_and_lists_every_variance(seed: httpx.AsyncClient) -> None:
    lines = [{"sku": "TEA", "counted": 18}, {"sku": "RICE", "counted": 12.5}, {"sku": "MUG", "counted": 3}]
    count = await create(seed, "/v1/stock-counts", {"warehouse": "SH", "lines": lines})
    assert count["warehouse"] == "SH" and len(count["lines"]) == 3
    assert count["variances"] == [
        {"sku": "TEA", "counted": 18, "expected": 20, "variance": -2, "value": "-4.00"},
        {"sku": "MUG", "counted": 3, "expected": 0, "variance": 3, "value": "0.00"},
    ]
    assert (await seed.get(f"/v1/stock-counts/{count['id']}")).json() == count
    assert [(await stock(seed, sku))["on_hand"] for sku in ("TEA", "RICE", "MUG")] == [18, 12.5, 3]
    assert (await seed.get("/v1/stock/TEA")).json()["stock_value"] == "36.00"
    moves = await walk(seed, "/v1/stock/moves", cursor_param="after")
    assert [
        (m["sku"], m["from_location"], m["to_location"], m["qty"])
        for m in moves
        if m["reference"]["type"] == "stock_count"
    ] == [
        ("TEA", "SH", "inventory-loss", 2),
        ("MUG", "inventory-loss", "SH", 3),
    ]
    [posted] = [e for e in await events(seed) if e["type"] == "stock_count.posted"]
    assert [v["sku"] for v in posted["payload"]["variances"]] == ["TEA", "MUG"]


async def test_a_count_below_what_is_reserved_is_refused_whole(seed: httpx.AsyncClient) -> None:
    await sell(seed, ("TEA", 8, "5"))
    lines = [{"sku": "RICE", "counted": 10}, {"sku": "TEA", "counted": 7}]
    async with writes_nothing(seed):
        assert_problem(
            await seed.post("/v1/stock-counts", json={"warehouse": "SH", "lines": lines}), 409, "lines[1].counted"
        )


BAD_COUNTS: list[tuple[dict[str, Any], str]] = [
    ({"warehouse": "NOPE", "lines": [{"sku": "TEA", "counted": 1}]}, "warehouse"),
    ({"warehouse": "inventory-loss", "lines": [{"sku": "TEA", "counted": 1}]}, "warehouse"),
    ({"lines": [{"sku": "TEA", "counted": 1}]}, "warehouse"),
    ({"warehouse": "SH", "lines": [{"sku": "TEA", "counted": -1}]}, "lines[0].counted"),
    ({"warehouse": "SH", "lines": [{"sku": "TEA"}]}, "lines[0].counted"),
    ({"warehouse": "SH", "lines": [{"sku": "TEA", "counted": 1}, {"sku": "NOPE", "counted": 1}]}, "lines[1].sku"),
    ({"warehouse": "SH", "lines": [{"sku": "TEA", "counted": 1}, {"sku": "TEA", "counted": 2}]}, "lines[1].sku"),
    ({"warehouse": "SH", "lines": []}, "lines"),
]


async def test_bad_counts_are_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    async with writes_nothing(seed):
        for body, field in BAD_COUNTS:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post("/v1/stock-counts", json=body), 422, field)


async def test_unknown_count_is_404(seed: httpx.AsyncClient) -> None:
    assert_problem(await seed.get("/v1/stock-counts/31337"), 404)
