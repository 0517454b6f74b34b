"""Master data: products, warehouses, suppliers, customers."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.api.support import assert_problem, create, events, walk, writes_nothing


async def test_create_read_and_list_a_product(api: httpx.AsyncClient) -> None:
    body = {"sku": "TEA", "name": "Green tea", "unit": "box", "barcode": "6901234", "list_price": "12.50"}
    created = await create(api, "/v1/products", body)
    assert created | {"created_at": None, "updated_at": None} == {
        "sku": "TEA",
        "name": "Green tea",
        "unit": "box",
        "barcode": "6901234",
        "list_price": "12.50",  # money goes out as a decimal string
        "reorder_point": None,
        "reorder_max": None,
        "active": True,
        "tax_code": None,
        "created_at": None,
        "updated_at": None,
    }
    assert (await api.get("/v1/products/TEA")).json() == created
    assert (await api.get("/v1/products")).json() == {"items": [created], "next_cursor": None}
    [event] = await events(api)
    assert (event["type"], event["aggregate_type"], event["aggregate_id"]) == ("product.upserted", "product", "TEA")
    assert event["payload"]["list_price"] == "12.50"


async def test_product_defaults(api: httpx.AsyncClient) -> None:
    created = await create(api, "/v1/products", {"sku": "TEA", "name": "Tea"})
    assert (created["sku"], created["name"], created["unit"], created["active"]) == ("TEA", "Tea", "pcs", True)


async def test_surrounding_whitespace_is_refused_not_trimmed(api: httpx.AsyncClient) -> None:
    # A SKU that differs from another only by a space it cannot show is a mistake, not a new SKU.
    async with writes_nothing(api):
        assert_problem(await api.post("/v1/products", json={"sku": "  TEA ", "name": " Tea "}), 422, "sku", "name")


async def test_any_sku_or_code_can_be_addressed(api: httpx.AsyncClient) -> None:
    for sku in ("绿茶-500g", "T-SHIRT/RED/XL", "A B", "50%?"):
        created = await create(api, "/v1/products", {"sku": sku, "name": "x"})
        path = quote(sku, safe="")
        assert (await api.get(f"/v1/products/{path}")).json() == created
        assert (await api.patch(f"/v1/products/{path}", json={"name": "y"})).json()["name"] == "y"
        assert (await api.get(f"/v1/stock/{path}")).json()["sku"] == sku
    await create(api, "/v1/warehouses", {"code": "SH/2", "name": "Shanghai, second"})
    assert (await api.get("/v1/warehouses/SH%2F2")).json()["name"] == "Shanghai, second"


async def test_unknown_product_is_404(api: httpx.AsyncClient) -> None:
    assert_problem(await api.get("/v1/products/NOPE"), 404)
    assert_problem(await api.patch("/v1/products/NOPE", json={"name": "x"}), 404)


async def test_duplicate_sku_is_409_and_keeps_the_first(api: httpx.AsyncClient) -> None:
    await create(api, "/v1/products", {"sku": "TEA", "name": "Tea"})
    async with writes_nothing(api):
        assert_problem(await api.post("/v1/products", json={"sku": "TEA", "name": "Other"}), 409, "sku")
    assert (await api.get("/v1/products/TEA")).json()["name"] == "Tea"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Tea"}, "sku"),
        ({"sku": "", "name": "Tea"}, "sku"),
        ({"sku": "   ", "name": "Tea"}, "sku"),
        ({"sku": "X" * 65, "name": "Tea"}, "sku"),
        ({"sku": "TEA"}, "name"),
        ({"sku": "TEA", "name": "Tea", "list_price": "-1"}, "list_price"),
        ({"sku": "TEA", "name": "Tea", "list_price": "abc"}, "list_price"),
        ({"sku": "TEA", "name": "Tea", "reorder_point": -1}, "reorder_point"),
        ({"sku": "TEA", "name": "Tea", "reorder_point": 10, "reorder_max": 5}, "reorder_max"),
        ({"sku": "TEA", "name": "Tea", "colour": "green"}, "colour"),
    ],
)
async def test_bad_product_is_422_naming_the_field(api: httpx.AsyncClient, body: dict, field: str) -> None:
    response = await api.post("/v1/products", json=body)
    assert_problem(response, 422, field)
    assert (await api.get("/v1/products")).json()["items"] == []
    assert await events(api) == []


async def test_patch_changes_only_the_fields_sent(api: httpx.AsyncClient) -> None:
    await create(api, "/v1/products", {"sku": "TEA", "name": "Tea", "barcode": "123", "list_price": "5"})
    response = await api.patch("/v1/products/TEA", json={"name": "Black tea", "barcode": None, "reorder_point": 2})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["name"], patched["barcode"], patched["list_price"], patched["reorder_point"]) == (
        "Black tea",
        None,
        "5.00",
        2,
    )
    assert (await api.get("/v1/products/TEA")).json() == patched
    assert patched["updated_at"] > patched["created_at"]
    assert [e["payload"]["name"] for e in await events(api) if e["type"] == "product.upserted"] == ["Tea", "Black tea"]


async def test_deactivated_product_is_filtered_and_refused_on_orders(seed: httpx.AsyncClient) -> None:
    assert (await seed.patch("/v1/products/MUG", json={"active": False})).json()["active"] is False
    assert [p["sku"] for p in (await seed.get("/v1/products", params={"active": "false"})).json()["items"]] == ["MUG"]
    assert "MUG" not in [p["sku"] for p in await walk(seed, "/v1/products", active="true")]
    body = {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "MUG", "qty": 1, "unit_cost": "1"}]}
    async with writes_nothing(seed):
        assert_problem(await seed.post("/v1/purchase-orders", json=body), 422, "lines[0].sku")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"active": None}, "active"),
        ({"unit": None}, "unit"),
        ({"list_price": -5}, "list_price"),
        ({"reorder_point": 10, "reorder_max": 5}, "reorder_max"),
        ({"reorder_max": 1}, "reorder_max"),  # below the stored reorder_point of 3
        ({"sku": "OTHER"}, "sku"),  # the SKU is the product's identity
    ],
)
async def test_bad_patch_is_422_and_changes_nothing(api: httpx.AsyncClient, body: dict, field: str) -> None:
    before = await create(api, "/v1/products", {"sku": "TEA", "name": "Tea", "reorder_point": 3})
    async with writes_nothing(api):
        assert_problem(await api.patch("/v1/products/TEA", json=body), 422, field)
    assert (await api.get("/v1/products/TEA")).json() == before


async def test_products_page_through_every_sku_once(api: httpx.AsyncClient) -> None:
    skus = [f"SKU-{i:02}" for i in range(7)]
    for sku in reversed(skus):
        await create(api, "/v1/products", {"sku": sku, "name": sku})
    first = (await api.get("/v1/products", params={"limit": 3})).json()
    assert [p["sku"] for p in first["items"]] == skus[:3] and first["next_cursor"]
    assert [p["sku"] for p in await walk(api, "/v1/products", limit=3)] == skus  # ordered by SKU, none twice


@pytest.mark.parametrize(
    ("path", "body", "extra"),
    [
        ("/v1/warehouses", {"code": "SH", "name": "Shanghai"}, {}),
        (
            "/v1/suppliers",
            {"code": "ACME", "name": "Acme", "contact": "ops@acme.test", "rating": 4},
            {"payment_terms_days": None},
        ),
        (
            "/v1/customers",
            {"code": "C1", "name": "Shop", "contact": "Li Lei", "credit_limit": "1000", "payment_terms_days": 14},
            {"credit_limit": "1000.00", "tax_exempt": False},
        ),
    ],
)
async def test_create_read_and_list_parties(api: httpx.AsyncClient, path: str, body: dict, extra: dict) -> None:
    created = await create(api, path, body)
    assert {k: v for k, v in created.items() if k != "created_at"} == body | extra
    assert (await api.get(f"{path}/{body['code']}")).json() == created
    assert (await api.get(path)).json() == {"items": [created], "next_cursor": None}
    assert_problem(await api.get(f"{path}/NOPE"), 404)
    kind = path.removeprefix("/v1/").removesuffix("s")
    assert [(e["type"], e["aggregate_id"]) for e in await events(api)] == [(f"{kind}.upserted", body["code"])]


@pytest.mark.parametrize("path", ["/v1/warehouses", "/v1/suppliers", "/v1/customers"])
async def test_duplicate_party_code_is_409(api: httpx.AsyncClient, path: str) -> None:
    first = await create(api, path, {"code": "X1", "name": "First"})
    assert_problem(await api.post(path, json={"code": "X1", "name": "Second"}), 409, "code")
    assert (await api.get(f"{path}/X1")).json() == first
    assert len(await events(api)) == 1


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/warehouses", {"name": "No code"}, "code"),
        ("/v1/warehouses", {"code": "transit", "name": "Virtual"}, "code"),
        ("/v1/warehouses", {"code": "customer", "name": "Virtual"}, "code"),
        ("/v1/warehouses", {"code": "W1"}, "name"),
        ("/v1/suppliers", {"code": "S1", "name": "S", "rating": 6}, "rating"),
        ("/v1/suppliers", {"code": "S1", "name": "S", "rating": 0}, "rating"),
        ("/v1/customers", {"code": "C1", "name": "C", "credit_limit": "-0.01"}, "credit_limit"),
        ("/v1/customers", {"code": "C1", "name": "C", "credit_limit": "1.0000001"}, "credit_limit"),
    ],
)
async def test_bad_party_is_422(api: httpx.AsyncClient, path: str, body: dict, field: str) -> None:
    assert_problem(await api.post(path, json=body), 422, field)
    assert (await api.get(path)).json()["items"] == []
    assert await events(api) == []


@pytest.mark.parametrize("path", ["/v1/warehouses", "/v1/suppliers", "/v1/customers"])
async def test_parties_page_by_code(api: httpx.AsyncClient, path: str) -> None:
    codes = ["A", "B", "C", "D", "E"]
    for code in reversed(codes):
        await create(api, path, {"code": code, "name": code})
    pages = []
    cursor = None
    while True:
        page = (await api.get(path, params={"limit": 2} | ({"cursor": cursor} if cursor else {}))).json()
        pages.append([party["code"] for party in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert pages == [["A", "B"], ["C", "D"], ["E"]]
