"""``Idempotency-Key``: a repeated POST gets the first response again and changes nothing more."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.api.support import (
    assert_problem,
    books,
    create,
    events,
    no_new_events,
    purchase,
    sales_body,
    sell,
    stock,
    walk,
    writes_nothing,
)

SO = "/v1/sales-orders"


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_a_replay_answers_the_first_response_and_changes_nothing(seed: httpx.AsyncClient) -> None:
    body = sales_body(("TEA", 3, "5"))
    first = await seed.post(SO, json=body, headers=key("order-1"))
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    async with writes_nothing(seed):
        again = await seed.post(SO, json=body, headers=key("order-1"))
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(await walk(seed, SO)) == 1
    assert (await stock(seed, "TEA"))["reserved"] == 3


async def test_the_same_json_written_differently_is_the_same_request(seed: httpx.AsyncClient) -> None:
    body = sales_body(("TEA", 3, "5"))
    first = await seed.post(SO, json=body, headers=key("k"))
    reordered = '{"lines": [{"unit_price": "5", "qty": 3, "sku": "TEA"}],\n "warehouse": "SH", "customer": "C1"}'
    again = await seed.post(SO, content=reordered, headers=key("k") | {"Content-Type": "application/json"})
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()


async def test_a_key_reused_for_another_request_is_422(seed: httpx.AsyncClient) -> None:
    first = await create(seed, SO, sales_body(("TEA", 3, "5")), headers=key("k1"))
    async with writes_nothing(seed):
        changed = await seed.post(SO, json=sales_body(("TEA", 4, "5")), headers=key("k1"))
        body = assert_problem(changed, 422, "Idempotency-Key")
        assert "Idempotent-Replayed" not in changed.headers and body["type"].endswith("idempotency-key-reused")
        # The same key on another endpoint is another request too.
        other = await seed.post("/v1/warehouses", json={"code": "GZ", "name": "Guangzhou"}, headers=key("k1"))
        assert_problem(other, 422, "Idempotency-Key")
    assert (await seed.get(f"{SO}/{first['id']}")).json()["lines"][0]["qty"] == 3


async def test_a_replay_is_the_first_response_even_after_the_order_moved_on(seed: httpx.AsyncClient) -> None:
    first = await seed.post(SO, json=sales_body(("TEA", 3, "5")), headers=key("k"))
    await create(seed, f"{SO}/{first.json()['id']}/cancel", status=200)
    again = await seed.post(SO, json=sales_body(("TEA", 3, "5")), headers=key("k"))
    assert again.json() == first.json() and again.json()["status"] == "confirmed"
    assert (await seed.get(f"{SO}/{first.json()['id']}")).json()["status"] == "cancelled"


async def test_actions_without_a_body_replay_instead_of_failing_the_transition(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 3, "5"))
    cancel = f"{SO}/{order['id']}/cancel"
    first = await seed.post(cancel, headers=key("cancel-1"))
    assert first.status_code == 200
    async with writes_nothing(seed):
        again = await seed.post(cancel, headers=key("cancel-1"))
    assert (again.status_code, again.json(), again.headers["Idempotent-Replayed"]) == (200, first.json(), "true")
    assert_problem(await seed.post(cancel, headers=key("cancel-2")), 409)  # a new key is a new request


async def test_every_kind_of_post_replays(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    po = await create(
        seed,
        "/v1/purchase-orders",
        {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "MUG", "qty": 9, "unit_cost": "1"}]},
    )
    order = await sell(seed, ("TEA", 5, "5"))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 1}]})
    transfer = await create(
        seed, "/v1/transfers", {"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "RICE", "qty": 1}]}
    )
    requests: list[tuple[str, Any]] = [
        ("/v1/products", {"sku": "PEN", "name": "Pen"}),
        ("/v1/warehouses", {"code": "GZ", "name": "Guangzhou"}),
        ("/v1/suppliers", {"code": "BETA", "name": "Beta"}),
        ("/v1/customers", {"code": "C3", "name": "Shop"}),
        (
            "/v1/purchase-orders",
            {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "unit_cost": "1"}]},
        ),
        (f"/v1/purchase-orders/{po['id']}/approve", None),
        (f"/v1/purchase-orders/{po['id']}/receipts", {"lines": [{"sku": "MUG", "accepted": 2}]}),
        (SO, sales_body(("TEA", 1, "5"))),
        (f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 1}]}),
        (f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]}),
        ("/v1/transfers", {"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "TEA", "qty": 1}]}),
        (f"/v1/transfers/{transfer['id']}/receive", None),
        ("/v1/stock-counts", {"warehouse": "SH", "lines": [{"sku": "RICE", "counted": 10}]}),
        (f"/v1/purchase-orders/{po['id']}/cancel", None),
        (f"{SO}/{order['id']}/cancel", None),
    ]
    for i, (path, body) in enumerate(requests):
        with subtests.test(path=path):
            first = await seed.post(path, json=body, headers=key(f"every-{i}"))
            assert first.status_code in (200, 201), first.text
            async with no_new_events(seed):
                again = await seed.post(path, json=body, headers=key(f"every-{i}"))
            assert (again.status_code, again.content, again.headers.get("Idempotent-Replayed")) == (
                first.status_code,
                first.content,
                "true",
            )


async def test_patch_replays_too(seed: httpx.AsyncClient) -> None:
    first = await seed.patch("/v1/products/TEA", json={"name": "Oolong"}, headers=key("rename"))
    async with writes_nothing(seed):
        again = await seed.patch("/v1/products/TEA", json={"name": "Oolong"}, headers=key("rename"))
    assert (again.status_code, again.content, again.headers.get("Idempotent-Replayed")) == (200, first.content, "true")


async def test_a_refused_request_is_not_remembered(seed: httpx.AsyncClient) -> None:
    body = sales_body(("MUG", 2, "9"))
    assert_problem(await seed.post(SO, json=body, headers=key("mugs")), 409)
    await purchase(seed, [("MUG", 5, "3")])
    retried = await seed.post(SO, json=body, headers=key("mugs"))  # the same request, now possible
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert_problem(await seed.post(SO, json=sales_body(("MUG", 0, "9")), headers=key("bad")), 422, "lines[0].qty")
    assert (await seed.post(SO, json=sales_body(("MUG", 1, "9")), headers=key("bad"))).status_code == 201


async def test_keys_belong_to_the_caller(seed: httpx.AsyncClient, anon: httpx.AsyncClient, make_key: Any) -> None:
    body = {"code": "GZ", "name": "Guangzhou"}
    assert (await seed.post("/v1/warehouses", json=body, headers=key("same"))).status_code == 201
    other = {"Authorization": f"Bearer {await make_key('write')}"} | key("same")
    # Another caller's key of the same name is not a replay of this caller's request.
    assert_problem(await anon.post("/v1/warehouses", json=body, headers=other), 409, "code")


async def test_an_unusable_key_is_422(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        for bad in ("x" * 256, "tab\there"):
            response = await seed.post(SO, json=sales_body(("TEA", 1, "5")), headers=key(bad))
            assert_problem(response, 422, "Idempotency-Key")


async def test_concurrent_requests_with_one_key_take_effect_once(seed: httpx.AsyncClient) -> None:
    before = await books(seed)
    body = sales_body(("TEA", 4, "5"), channel="shop", external_id="#9")
    responses = await asyncio.gather(*(seed.post(SO, json=body, headers=key("burst")) for _ in range(6)))
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert sorted(r.headers.get("Idempotent-Replayed", "no") for r in responses) == ["no"] + ["true"] * 5
    orders = await walk(seed, SO)
    assert len(orders) == 1 and len(before["sales_orders"]) == 0
    assert (await stock(seed, "TEA"))["reserved"] == 4
    assert [e["type"] for e in await events(seed)].count("sales_order.confirmed") == 1


async def test_concurrent_shipments_with_one_key_ship_once(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 10, "5"))
    path = f"{SO}/{order['id']}/shipments"
    responses = await asyncio.gather(
        *(seed.post(path, json={"lines": [{"sku": "TEA", "qty": 4}]}, headers=key("ship")) for _ in range(4))
    )
    assert {r.status_code for r in responses} == {201}
    assert len((await seed.get(f"{SO}/{order['id']}")).json()["shipments"]) == 1
    assert (await stock(seed, "TEA"))["on_hand"] == 16


async def test_concurrent_orders_never_both_take_the_last_units(seed: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(*(seed.post(SO, json=sales_body(("TEA", 15, "5"))) for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    tea = await stock(seed, "TEA")
    assert (tea["reserved"], tea["available"]) == (15, 5)
    assert len(await walk(seed, SO)) == 1
