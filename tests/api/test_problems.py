"""Refusals are RFC 9457 problem documents naming the field to blame, and write nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.api.support import assert_problem, create, no_new_events, sales_body, sell, writes_nothing

JSON = {"Content-Type": "application/json"}


async def test_malformed_json_is_400_and_writes_nothing(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    order = await sell(seed, ("TEA", 2, "5"))
    endpoints = [
        ("POST", "/v1/sales-orders"),
        ("POST", "/v1/purchase-orders"),
        ("POST", f"/v1/sales-orders/{order['id']}/shipments"),
        ("POST", "/v1/stock-counts"),
        ("PATCH", "/v1/products/TEA"),
    ]
    async with writes_nothing(seed):
        for method, path in endpoints:
            for junk in (b'{"customer": "C1",', b"{'single': 'quotes'}", b"\xff\xfe"):
                with subtests.test(path=path, junk=junk):
                    async with no_new_events(seed):
                        response = await seed.request(
                            method, path, content=junk, headers=JSON | {"X-Request-ID": "bad-1"}
                        )
                        body = assert_problem(response, 400)
                    assert body["type"] == "urn:jxc-hub:problem:malformed-json" and body["instance"] == path
                    assert response.headers["X-Request-ID"] == "bad-1"


async def test_a_body_that_is_not_an_object_is_422(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        for body in ([], "order", 42, None):
            assert_problem(await seed.post("/v1/sales-orders", json=body), 422, "body")


async def test_every_bad_field_is_named_at_once(seed: httpx.AsyncClient) -> None:
    body = {
        "warehouse": "SH",
        "lines": [{"sku": "TEA", "qty": 0, "unit_price": "5"}, {"sku": "", "qty": 1, "unit_price": "x"}],
    }
    async with writes_nothing(seed):
        problem = assert_problem(
            await seed.post("/v1/sales-orders", json=body),
            422,
            "customer",
            "lines[0].qty",
            "lines[1].sku",
            "lines[1].unit_price",
        )
    assert len(problem["errors"]) == 4
    assert all(error["message"] for error in problem["errors"])
    assert "lines[0].qty" in problem["detail"]


async def test_unknown_records_are_named_by_field(seed: httpx.AsyncClient) -> None:
    body = sales_body(("TEA", 1, "5"), ("GHOST", 1, "5"))
    async with writes_nothing(seed):
        problem = assert_problem(await seed.post("/v1/sales-orders", json=body), 422, "lines[1].sku")
    assert "GHOST" in problem["detail"] and problem["type"] == "urn:jxc-hub:problem:invalid-input"


async def test_state_conflicts_are_409_problems(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("TEA", 1, "5"))
    await create(seed, f"/v1/sales-orders/{order['id']}/cancel", status=200)
    problem = assert_problem(await seed.post(f"/v1/sales-orders/{order['id']}/cancel"), 409)
    assert problem["type"] == "urn:jxc-hub:problem:invalid-transition" and "cancelled" in problem["detail"]


async def test_unknown_routes_and_methods_are_problems(api: httpx.AsyncClient) -> None:
    body = assert_problem(await api.get("/v1/nothing-here"), 404)
    assert body["instance"] == "/v1/nothing-here"
    assert_problem(await api.delete("/v1/products"), 405)
    assert_problem(await api.put("/v1/sales-orders/1"), 405)


async def test_quantities_are_json_numbers_and_money_decimal_strings(seed: httpx.AsyncClient) -> None:
    order = await sell(seed, ("RICE", 2.5, "3.1"))
    [line] = order["lines"]
    assert (line["qty"], line["unit_price"], order["total"]) == (2.5, "3.10", "7.75")
    precise = await sell(seed, ("TEA", 1, "0.333333"))
    assert precise["lines"][0]["unit_price"] == "0.333333"
    async with writes_nothing(seed):
        for qty in ("2.50", "NaN", "Infinity", "1_000", "١٢", "５", True, None, [1]):
            assert_problem(await seed.post("/v1/sales-orders", json=sales_body(("TEA", qty, "1"))), 422, "lines[0].qty")
        for price in (3.1, 5, "0.3333333", "1_000", "١٢", "５", "1e2", " 5", "+5", "-5", "5.", True):
            response = await seed.post("/v1/sales-orders", json=sales_body(("TEA", 1, price)))
            assert_problem(response, 422, "lines[0].unit_price")
