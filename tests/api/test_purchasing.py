"""Purchase orders: create, approve, receive with inspection, cancel, read, list."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.support import assert_problem, create, events, no_new_events, stock, walk, writes_nothing

PO = "/v1/purchase-orders"


def po_body(*lines: tuple[str, Any, Any], supplier: str = "ACME", warehouse: str = "SH") -> dict[str, Any]:
    return {
        "supplier": supplier,
        "warehouse": warehouse,
        "lines": [{"sku": sku, "qty": qty, "unit_cost": cost} for sku, qty, cost in lines],
    }


async def approved(api: httpx.AsyncClient, *lines: tuple[str, Any, Any]) -> dict[str, Any]:
    order = await create(api, PO, po_body(*lines))
    return await create(api, f"{PO}/{order['id']}/approve", status=200)


async def test_create_a_purchase_order(seed: httpx.AsyncClient) -> None:
    before = len(await events(seed))
    order = await create(seed, PO, po_body(("TEA", 10, "2.5"), ("RICE", 2.25, "4")))
    assert (order["supplier"], order["warehouse"], order["status"], order["currency"]) == ("ACME", "SH", "draft", "USD")
    assert order["total"] == "34.00"
    assert [
        {k: line[k] for k in ("line_no", "sku", "qty", "unit_cost", "accepted", "outstanding")}
        for line in order["lines"]
    ] == [
        {"line_no": 1, "sku": "TEA", "qty": 10, "unit_cost": "2.50", "accepted": 0, "outstanding": 10},
        {"line_no": 2, "sku": "RICE", "qty": 2.25, "unit_cost": "4.00", "accepted": 0, "outstanding": 2.25},
    ]
    assert order["receipts"] == []
    assert (await seed.get(f"{PO}/{order['id']}")).json() == order
    [event] = (await events(seed))[before:]
    assert (event["type"], event["aggregate_type"], event["aggregate_id"]) == (
        "purchase_order.created",
        "purchase_order",
        str(order["id"]),
    )
    assert (await stock(seed, "TEA"))["on_hand"] == 20  # a draft moves nothing


BAD_ORDERS: list[tuple[dict[str, Any], str]] = [
    ({"supplier": "NOPE"}, "supplier"),
    ({"supplier": "C1"}, "supplier"),  # a customer is not a supplier
    ({"warehouse": "NOPE"}, "warehouse"),
    ({"warehouse": "supplier"}, "warehouse"),  # virtual locations are not warehouses
    (
        {"lines": [{"sku": "TEA", "qty": 1, "unit_cost": "1"}, {"sku": "NOPE", "qty": 1, "unit_cost": "1"}]},
        "lines[1].sku",
    ),
    (
        {"lines": [{"sku": "TEA", "qty": 1, "unit_cost": "1"}, {"sku": "TEA", "qty": 2, "unit_cost": "1"}]},
        "lines[1].sku",
    ),
    ({"lines": [{"sku": "TEA", "qty": 0, "unit_cost": "1"}]}, "lines[0].qty"),
    ({"lines": [{"sku": "TEA", "qty": -3, "unit_cost": "1"}]}, "lines[0].qty"),
    ({"lines": [{"sku": "TEA", "qty": "lots", "unit_cost": "1"}]}, "lines[0].qty"),
    ({"lines": [{"sku": "TEA", "qty": 1, "unit_cost": "-0.01"}]}, "lines[0].unit_cost"),
    ({"lines": [{"sku": "TEA", "qty": 1}]}, "lines[0].unit_cost"),
    ({"lines": []}, "lines"),
    ({"lines": None}, "lines"),
    ({"currency": "usd"}, "currency"),
    ({"note": "rush"}, "note"),
]


async def test_bad_purchase_order_is_refused_naming_the_field(
    seed: httpx.AsyncClient, subtests: pytest.Subtests
) -> None:
    async with writes_nothing(seed):
        for change, field in BAD_ORDERS:
            with subtests.test(field=field, change=change):
                async with no_new_events(seed):
                    assert_problem(await seed.post(PO, json=po_body(("TEA", 5, "2.00")) | change), 422, field)


async def test_every_missing_field_is_named(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.post(PO, json={"lines": []}), 422, "supplier", "warehouse", "lines")


async def test_approve_then_approve_again_is_409(seed: httpx.AsyncClient) -> None:
    order = await create(seed, PO, po_body(("TEA", 5, "2")))
    approved_ = await create(seed, f"{PO}/{order['id']}/approve", status=200)
    assert approved_["status"] == "approved"
    assert (await events(seed))[-1]["type"] == "purchase_order.approved"
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{PO}/{order['id']}/approve"), 409)
    assert (await seed.get(f"{PO}/{order['id']}")).json()["status"] == "approved"


async def test_a_draft_cannot_be_received(seed: httpx.AsyncClient) -> None:
    order = await create(seed, PO, po_body(("TEA", 5, "2")))
    async with writes_nothing(seed):
        assert_problem(
            await seed.post(f"{PO}/{order['id']}/receipts", json={"lines": [{"sku": "TEA", "accepted": 5}]}), 409
        )


async def test_receipt_with_inspection_rejects_stay_outstanding(seed: httpx.AsyncClient) -> None:
    order = await approved(seed, ("TEA", 10, "3.50"))
    path = f"{PO}/{order['id']}/receipts"
    first = await create(seed, path, {"lines": [{"sku": "TEA", "accepted": 6, "rejected": 4}]})
    assert first["status"] == "partially_received"
    [line] = first["lines"]
    assert (line["accepted"], line["rejected"], line["outstanding"]) == (6, 4, 4)
    [receipt] = first["receipts"]
    assert receipt["purchase_order_id"] == order["id"] and receipt["warehouse"] == "SH"
    assert receipt["lines"] == [{"sku": "TEA", "accepted": 6, "rejected": 4, "unit_cost": "3.50"}]
    assert (await stock(seed, "TEA"))["on_hand"] == 26  # only what passed inspection
    posted = [e for e in await events(seed) if e["type"] == "purchase_order.receipt_posted"][-1]
    assert posted["payload"]["status"] == "partially_received"

    # Accepting more than ordered − already accepted is refused, whole receipt.
    async with writes_nothing(seed):
        assert_problem(await seed.post(path, json={"lines": [{"sku": "TEA", "accepted": 5}]}), 422, "lines[0].accepted")
        assert_problem(
            await seed.post(path, json={"lines": [{"sku": "TEA", "accepted": 1, "rejected": 4}]}),
            422,
            "lines[0].rejected",
        )

    done = await create(seed, path, {"lines": [{"sku": "TEA", "accepted": 4}]})
    assert done["status"] == "received" and done["lines"][0]["outstanding"] == 0 and len(done["receipts"]) == 2
    assert (await stock(seed, "TEA"))["on_hand"] == 30
    async with writes_nothing(seed):
        assert_problem(await seed.post(path, json={"lines": [{"sku": "TEA", "accepted": 1}]}), 409)


async def test_rejecting_everything_moves_nothing(seed: httpx.AsyncClient) -> None:
    order = await approved(seed, ("TEA", 3, "2"))
    after = await create(seed, f"{PO}/{order['id']}/receipts", {"lines": [{"sku": "TEA", "rejected": 3}]})
    assert after["status"] == "approved" and after["lines"][0]["outstanding"] == 3
    assert (await stock(seed, "TEA"))["on_hand"] == 20


BAD_RECEIPTS: list[tuple[list[Any], str]] = [
    ([{"sku": "MUG", "accepted": 1}], "lines[0].sku"),  # not on this order
    ([{"sku": "NOPE", "accepted": 1}], "lines[0].sku"),
    ([{"sku": "TEA", "accepted": 1}, {"sku": "TEA", "accepted": 1}], "lines[1].sku"),
    ([{"sku": "RICE", "accepted": 1}, {"sku": "TEA", "accepted": 11}], "lines[1].accepted"),
    ([{"sku": "TEA", "accepted": -1}], "lines[0].accepted"),
    ([{"sku": "TEA", "accepted": 0, "rejected": -2}], "lines[0].rejected"),
    ([{"sku": "TEA", "accepted": 0, "rejected": 0}], "lines[0]"),
    ([{"sku": "TEA", "accepted": 5, "rejected": 6}], "lines[0].rejected"),
    ([], "lines"),
]


async def test_bad_receipt_is_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    order = await approved(seed, ("TEA", 10, "2"), ("RICE", 1, "1"))
    async with writes_nothing(seed):
        for lines, field in BAD_RECEIPTS:
            with subtests.test(field=field, lines=lines):
                async with no_new_events(seed):
                    response = await seed.post(f"{PO}/{order['id']}/receipts", json={"lines": lines})
                    assert_problem(response, 422, field)
    assert (await seed.get(f"{PO}/{order['id']}")).json()["receipts"] == []


async def test_cancel(seed: httpx.AsyncClient) -> None:
    draft = await create(seed, PO, po_body(("TEA", 5, "2")))
    cancelled = await create(seed, f"{PO}/{draft['id']}/cancel", status=200)
    assert cancelled["status"] == "cancelled"
    assert (await events(seed))[-1]["type"] == "purchase_order.cancelled"
    async with writes_nothing(seed):
        for action in ("cancel", "approve"):
            assert_problem(await seed.post(f"{PO}/{draft['id']}/{action}"), 409)
        assert_problem(
            await seed.post(f"{PO}/{draft['id']}/receipts", json={"lines": [{"sku": "TEA", "accepted": 1}]}), 409
        )

    partly = await approved(seed, ("TEA", 5, "2"))
    await create(seed, f"{PO}/{partly['id']}/receipts", {"lines": [{"sku": "TEA", "accepted": 2}]})
    assert (await create(seed, f"{PO}/{partly['id']}/cancel", status=200))["status"] == "cancelled"
    assert (await stock(seed, "TEA"))["on_hand"] == 22  # what was received stays


async def test_a_received_order_cannot_be_cancelled(seed: httpx.AsyncClient) -> None:
    [received] = (await seed.get(PO, params={"status": "received"})).json()["items"]
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{PO}/{received['id']}/cancel"), 409)


async def test_unknown_purchase_order_is_404(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.get(f"{PO}/999999"), 404)
        for action in ("approve", "cancel"):
            assert_problem(await seed.post(f"{PO}/999999/{action}"), 404)
        assert_problem(await seed.post(f"{PO}/999999/receipts", json={"lines": [{"sku": "TEA", "accepted": 1}]}), 404)


async def test_order_id_out_of_range_is_422(seed: httpx.AsyncClient) -> None:
    # Larger than any id can be: refused as input, not an overflow in the database driver.
    for order_id in ("0", "2147483648", "99999999999999999999"):
        assert_problem(await seed.get(f"{PO}/{order_id}"), 422, "order_id")
        assert_problem(await seed.post(f"{PO}/{order_id}/approve"), 422, "order_id")


async def test_non_numeric_order_id_is_422(seed: httpx.AsyncClient) -> None:
    assert_problem(await seed.get(f"{PO}/abc"), 422, "order_id")


async def test_list_newest_first_filtered_and_paged(seed: httpx.AsyncClient) -> None:
    [seeded] = await walk(seed, PO)
    await create(seed, "/v1/suppliers", {"code": "BETA", "name": "Beta"})
    ids = [(await create(seed, PO, po_body(("TEA", 1, "1"), supplier=s)))["id"] for s in ["ACME", "BETA"] * 3]
    await create(seed, f"{PO}/{ids[-1]}/approve", status=200)
    assert [o["id"] for o in await walk(seed, PO, limit=2)] == [*ids[::-1], seeded["id"]]  # newest first, none twice
    first = (await seed.get(PO, params={"limit": 2})).json()
    assert [o["id"] for o in first["items"]] == [ids[5], ids[4]] and first["next_cursor"]
    assert [o["id"] for o in await walk(seed, PO, supplier="BETA", limit=1)] == [ids[5], ids[3], ids[1]]
    assert [o["id"] for o in await walk(seed, PO, status="approved")] == [ids[5]]
    assert [o["id"] for o in await walk(seed, PO, status="draft", supplier="BETA")] == [ids[3], ids[1]]
    assert await walk(seed, PO, supplier="NOPE") == []
    # Lists carry the receipts, like the single order.
    [received] = await walk(seed, PO, status="received")
    assert len(received["receipts"]) == 1 and received == (await seed.get(f"{PO}/{received['id']}")).json()


async def test_bad_list_query_is_422(seed: httpx.AsyncClient) -> None:
    huge = "OTk5OTk5OTk5OTk5"  # base64 of 999999999999: an int, but no id is that large
    products_cursor = "IlRFQSI"  # base64 of "TEA": a cursor from /v1/products
    for params, field in [
        ({"status": "shipped"}, "status"),
        ({"cursor": "!!!"}, "cursor"),
        ({"cursor": products_cursor}, "cursor"),
        ({"cursor": huge}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
    ]:
        assert_problem(await seed.get(PO, params=params), 422, field)
