"""The API's limits and input rules: the same on SQLite and PostgreSQL, refused with a 4xx naming the field.

Each test here reproduced a 500 (or a disagreement between the databases) before the fix.
"""

from __future__ import annotations

import httpx
import pytest

from tests.api.support import assert_problem, create, sell, stock, writes_nothing

PO = "/v1/purchase-orders"


def po_body(*lines: tuple[str, object, object]) -> dict[str, object]:
    return {
        "supplier": "ACME",
        "warehouse": "SH",
        "lines": [{"sku": sku, "qty": qty, "unit_cost": cost} for sku, qty, cost in lines],
    }


# -- amounts -----------------------------------------------------------------------------------


async def test_amounts_past_the_limits_are_refused_by_field(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        # A unit cost past 999,999,999,999.999999 (this one reached decimal.InvalidOperation).
        response = await seed.post(PO, json=po_body(("TEA", 999999999.999999, "99999999999999.999999")))
        assert_problem(response, 422, "lines[0].unit_cost")
        # Each fits, the line's value (qty × unit cost) does not.
        response = await seed.post(PO, json=po_body(("TEA", 999999999, "999999999999")))
        problem = assert_problem(response, 422, "lines[0].unit_cost")
        assert "line value" in problem["detail"]
        # Each line fits, the order's total does not.
        half = "600000000000"  # 100 × this: 60,000,000,000,000 a line
        response = await seed.post(PO, json=po_body(("TEA", 100, half), ("RICE", 100, half)))
        assert_problem(response, 422, "lines")
        response = await seed.post("/v1/sales-orders", json=_sale(999999999, "999999999999"))
        assert_problem(response, 422, "lines[0].unit_price")
        for qty in (1_000_000_000, 1e22, 0.0000001):
            assert_problem(await seed.post(PO, json=po_body(("TEA", qty, "1"))), 422, "lines[0].qty")
        response = await seed.post("/v1/customers", json={"code": "BIG", "name": "B", "credit_limit": "1" + "0" * 14})
        assert_problem(response, 422, "credit_limit")


def _sale(qty: object, price: object) -> dict[str, object]:
    return {"customer": "C1", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": qty, "unit_price": price}]}


async def test_the_largest_amounts_are_kept_exactly_on_every_database(seed: httpx.AsyncClient) -> None:
    # 1,000,000 units at 99,999,999.999999: 99,999,999,999,999 — numeric(20, 6) overflowed on
    # PostgreSQL at 1,000,000 × 100,000,000, while SQLite stored it.
    await create(seed, "/v1/products", {"sku": "GOLD", "name": "Gold bar"})
    order = await create(seed, PO, po_body(("GOLD", 1_000_000, "99999999.999999")))
    assert order["total"] == "99999999999999.00"
    await create(seed, f"{PO}/{order['id']}/approve", status=200)
    await create(seed, f"{PO}/{order['id']}/receipts", {"lines": [{"sku": "GOLD", "accepted": 1_000_000}]})
    summary = (await seed.get("/v1/stock/GOLD")).json()
    assert (summary["on_hand"], summary["stock_value"]) == (1_000_000, "99999999999999.00")
    assert summary["average_cost"] == "99999999.999999"


async def test_a_change_that_would_carry_stock_value_past_the_limit_is_a_409(seed: httpx.AsyncClient) -> None:
    big = po_body(("TEA", 1_000_000, "90000000"))  # 90,000,000,000,000 each: one fits, two do not
    first = await create(seed, PO, big)
    second = await create(seed, PO, big)
    for order in (first, second):
        await create(seed, f"{PO}/{order['id']}/approve", status=200)
    await create(seed, f"{PO}/{first['id']}/receipts", {"lines": [{"sku": "TEA", "accepted": 1_000_000}]})
    # A little more still fits.
    await create(seed, f"{PO}/{second['id']}/receipts", {"lines": [{"sku": "TEA", "accepted": 1}]})
    async with writes_nothing(seed):
        response = await seed.post(
            f"{PO}/{second['id']}/receipts", json={"lines": [{"sku": "TEA", "accepted": 999_999}]}
        )
        problem = assert_problem(response, 409)
    assert problem["type"] == "urn:jxc-hub:problem:limit-exceeded" and "TEA" in problem["detail"]


async def test_minus_zero_is_zero(seed: httpx.AsyncClient) -> None:
    created = await create(
        seed, "/v1/products", {"sku": "ZERO", "name": "Zero", "list_price": "-0.00", "reorder_point": -0.0}
    )
    assert (created["list_price"], created["reorder_point"]) == ("0.00", 0)
    line = (await sell(seed, ("TEA", 1, "-0")))["lines"][0]
    assert line["unit_price"] == "0.00"


# -- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["NUL\u0000IN", "tab\there", "zero\u200bwidth", "bidi\u202eevil", "a  b", " lead"])
async def test_codes_are_visible_characters(api: httpx.AsyncClient, bad: str) -> None:
    async with writes_nothing(api):
        assert_problem(await api.post("/v1/products", json={"sku": bad, "name": "x"}), 422, "sku")
        assert_problem(await api.post("/v1/warehouses", json={"code": bad, "name": "x"}), 422, "code")
        assert_problem(await api.post("/v1/customers", json={"code": bad, "name": "x"}), 422, "code")


async def test_names_refuse_control_characters_but_free_text_keeps_line_breaks(api: httpx.AsyncClient) -> None:
    async with writes_nothing(api):
        assert_problem(await api.post("/v1/warehouses", json={"code": "W", "name": "Shang\u0000hai"}), 422, "name")
        assert_problem(await api.post("/v1/warehouses", json={"code": "W", "name": "two\nlines"}), 422, "name")
        body = {"code": "S", "name": "Supplier", "contact": "bell\u0007"}
        assert_problem(await api.post("/v1/suppliers", json=body), 422, "contact")
    supplier = await create(api, "/v1/suppliers", {"code": "S", "name": "Supplier", "contact": "Li Lei\nRoom 5"})
    assert supplier["contact"] == "Li Lei\nRoom 5"
    assert (await create(api, "/v1/warehouses", {"code": "W", "name": "上海 ‏DC"}))["name"] == "上海 ‏DC"


async def test_unstorable_text_anywhere_in_a_body_is_refused(api: httpx.AsyncClient) -> None:
    body = {"id": "shop", "type": "shopify", "config": {"shop_url": "https://x\u0000"}, "mappings": {}}
    response = await api.post("/v1/connectors", json=body)
    assert response.status_code in (403, 422)  # a write key may not add connectors; an admin gets 422
    lone = '{"sku": "A\\ud800", "name": "x"}'
    response = await api.post("/v1/products", content=lone, headers={"Content-Type": "application/json"})
    assert_problem(response, 422, "sku")


async def test_parameters_with_control_characters_are_422(api: httpx.AsyncClient) -> None:
    for path, field in [
        ("/v1/products/NUL%00IN", "sku"),
        ("/v1/stock/NUL%00IN", "sku"),
        ("/v1/warehouses/A%09B", "code"),
        ("/v1/stock?sku=a%00b", "sku"),
        ("/v1/sales-orders?customer=a%00b", "customer"),
        ("/v1/moves?sku=a%00b", "sku"),
    ]:
        assert_problem(await api.get(path), 422, field)


# -- strict types ----------------------------------------------------------------------------------


async def test_types_are_not_coerced(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        for active in (0, 1, "true", "yes", None):
            response = await seed.post("/v1/products", json={"sku": "X", "name": "x", "active": active})
            assert_problem(response, 422, "active")
        for rating in (True, "4", 4.5, 6):
            response = await seed.post("/v1/suppliers", json={"code": "S", "name": "s", "rating": rating})
            assert_problem(response, 422, "rating")
        assert_problem(await seed.patch("/v1/products/TEA", json={"name": None}), 422, "name")
        body = {"lines": [{"sku": "TEA", "qty": 1, "restock": "true"}]}
        assert_problem(await seed.post("/v1/sales-orders/1/returns", json=body), 422, "lines[0].restock")
    assert (await create(seed, "/v1/suppliers", {"code": "S", "name": "s", "rating": 4.0}))["rating"] == 4


# -- the request itself -------------------------------------------------------------------------------


async def test_a_bad_key_is_401_before_the_body_is_read(anon: httpx.AsyncClient) -> None:
    for content, headers in [
        (b"\xff\xfe{", {"Content-Type": "application/json"}),
        (b"customer=C1", {"Content-Type": "text/plain"}),
        (b"x" * 2_000_000, {"Content-Type": "application/json"}),
    ]:
        response = await anon.post("/v1/sales-orders", content=content, headers=headers)
        assert_problem(response, 401)
        response = await anon.post(
            "/v1/sales-orders", content=content, headers=headers | {"Authorization": "Bearer nope"}
        )
        assert_problem(response, 401)


async def test_a_body_that_is_not_json_is_415(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        for media in ("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"):
            response = await seed.post(
                "/v1/warehouses", content=b'{"code":"W","name":"w"}', headers={"Content-Type": media}
            )
            assert_problem(response, 415)
    created = await create(seed, "/v1/warehouses", None, content=b'{"code":"W","name":"w"}',
                           headers={"Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    assert created["code"] == "W"


async def test_a_body_over_the_limit_is_413_unread(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        response = await seed.post(
            "/v1/warehouses", content=b" " * 1_048_577, headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 413)

        async def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as it comes
            for _ in range(2048):
                yield b" " * 1024

        response = await seed.post("/v1/warehouses", content=chunks(), headers={"Content-Type": "application/json"})
        assert_problem(response, 413)


async def test_malformed_bodies_are_malformed_json(seed: httpx.AsyncClient) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    async with writes_nothing(seed):
        for junk in (
            b'{"code": "W", "name": "\xc3\x28"}',
            deep,
            b'{"code": "W", "name": "w", "x": NaN}',
            b"\xed\xa0\x80",
        ):
            response = await seed.post("/v1/warehouses", content=junk, headers={"Content-Type": "application/json"})
            body = assert_problem(response, 400)
            assert body["type"] == "urn:jxc-hub:problem:malformed-json"


async def test_405_lists_every_method_of_the_path(api: httpx.AsyncClient) -> None:
    for method, path, allowed in [
        ("PUT", "/v1/products", "GET, POST"),
        ("DELETE", "/v1/products/TEA", "GET, PATCH"),
        ("PUT", "/v1/sales-orders/1", "GET"),
        ("GET", "/v1/sales-orders/1/approve", "POST"),
    ]:
        response = await api.request(method, path)
        assert_problem(response, 405)
        assert response.headers["Allow"] == allowed


async def test_empty_cursors_mean_the_first_page(seed: httpx.AsyncClient) -> None:
    for path, param in [("/v1/products", "cursor"), ("/v1/moves", "after"), ("/v1/stock/moves", "after"),
                        ("/v1/events", "after"), ("/v1/stock", "cursor")]:  # fmt: skip
        first = (await seed.get(path)).json()
        assert (await seed.get(path, params={param: ""})).json() == first, path


# -- paths ---------------------------------------------------------------------------------------------


async def test_the_ledger_and_stock_paths_cannot_collide(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.post("/v1/products", json={"sku": "moves", "name": "x"}), 422, "sku")
    assert (await seed.get("/v1/moves")).json() == (await seed.get("/v1/stock/moves")).json()
    assert (await create(seed, "/v1/products", {"sku": "moves/x", "name": "x"}))["sku"] == "moves/x"
    assert (await seed.get("/v1/stock/moves%2Fx")).json()["sku"] == "moves/x"
    assert (await stock(seed, "TEA"))["on_hand"] == 20
