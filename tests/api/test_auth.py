"""API keys: 401 without a live key, 403 without the scope, scopes nested admin ⊃ write ⊃ read ⊃ stock:read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from hub.api.app import create_app
from hub.bootstrap import Hub
from tests.api.support import assert_problem, create, writes_nothing

SCOPES = ("stock:read", "read", "write", "admin")
#: What a storefront may read with a ``stock:read`` key.
STOREFRONT = {
    "/readyz",
    "/v1/stock",
    "/v1/stock/{sku}",
    "/v1/products",
    "/v1/products/{sku}",
    "/v1/warehouses",
    "/v1/warehouses/{code}",
    "/v1/channels/{channel_id}/stock",
}
#: Managing connectors (their credentials) needs ``admin``.
#: So does mapping the chart of accounts every posting goes to.
ADMIN = {
    ("POST", "/v1/connectors"),
    ("PATCH", "/v1/connectors/{connector_id}"),
    ("DELETE", "/v1/connectors/{connector_id}"),
    ("PUT", "/v1/accounts"),
}
#: No key: /healthz, and vendors' webhooks (their signature is the authentication).
OPEN = {"/healthz", "/v1/webhooks/{connector_id}"}
PARAMS = {
    "{sku}": "TEA",
    "{code}": "SH",
    "{order_id}": "1",
    "{transfer_id}": "1",
    "{count_id}": "1",
    "{issue_id}": "1",
    "{receipt_id}": "1",
    "{connector_id}": "shop",
    "{channel_id}": "shop",
    "{entry_id}": "1",
    "{bill_id}": "1",
    "{payment_id}": "1",
    "{expense_id}": "1",
    "{invoice_id}": "1",
    "{note_id}": "1",
}

MakeKey = Callable[[str], Awaitable[str]]


def endpoints() -> list[tuple[str, str, str]]:
    """Every (method, template, concrete path) of the API but the open probes."""
    found = []
    for template, operations in create_app().openapi()["paths"].items():
        if template in OPEN:
            continue
        path = template
        for name, value in PARAMS.items():
            path = path.replace(name, value)
        assert "{" not in path, f"no test value for a parameter of {template}"
        found += [(method.upper(), template, path) for method in operations]
    return found


def needed(method: str, template: str) -> str:
    if (method, template) in ADMIN:
        return "admin"
    if method != "GET":
        return "write"
    return "stock:read" if template in STOREFRONT else "read"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def call(
    http: httpx.AsyncClient, method: str, path: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return await http.request(method, path, json=body, headers=headers)


def assert_unauthorized(response: httpx.Response) -> None:
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_every_endpoint_but_healthz_needs_a_key(anon: httpx.AsyncClient) -> None:
    routes = endpoints()
    assert len(routes) > 30  # the walk found the API
    for method, _template, path in routes:
        assert_unauthorized(await call(anon, method, path))


async def test_healthz_needs_no_key_and_readyz_any_key(anon: httpx.AsyncClient, make_key) -> None:  # type: ignore[no-untyped-def]
    response = await anon.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert_unauthorized(await anon.get("/readyz"))
    weakest = {"Authorization": f"Bearer {await make_key('stock:read')}"}
    assert (await anon.get("/readyz", headers=weakest)).json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer jxc_not-a-real-key", "Bearer", "Bearer    ", "Basic dXNlcjpwYXNz", "jxc_abc", "bearer"],
)
async def test_a_bad_authorization_header_is_401(anon: httpx.AsyncClient, authorization: str) -> None:
    assert_unauthorized(await anon.get("/v1/products", headers={"Authorization": authorization}))


async def test_a_revoked_key_is_401(hub: Hub, anon: httpx.AsyncClient) -> None:
    record, secret = await hub.keys.create({"admin"}, name="leaked")
    assert (await anon.get("/v1/products", headers=bearer(secret))).status_code == 200
    assert await hub.keys.revoke(record.id)
    response = await anon.get("/v1/products", headers=bearer(secret))
    assert_unauthorized(response)
    assert "revoked" in response.json()["detail"]


async def test_the_scheme_is_case_insensitive(anon: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = await make_key("read")
    assert (await anon.get("/v1/products", headers={"Authorization": f"bearer {key}"})).status_code == 200


async def test_scopes_nest_over_every_endpoint(
    api: httpx.AsyncClient, anon: httpx.AsyncClient, make_key: MakeKey
) -> None:
    keys = {scope: await make_key(scope) for scope in SCOPES}
    async with writes_nothing(api):  # empty bodies and unknown ids: allowed calls still change nothing
        for method, template, path in endpoints():
            rank = SCOPES.index(needed(method, template))
            for scope, key in keys.items():
                response = await call(anon, method, path, bearer(key))
                if SCOPES.index(scope) < rank:
                    body = assert_problem(response, 403)
                    assert needed(method, template) in body["detail"], body
                else:
                    assert response.status_code not in (401, 403), (scope, method, path, response.text)


async def test_a_storefront_key_reads_stock_and_the_catalogue_only(
    seed: httpx.AsyncClient, anon: httpx.AsyncClient, make_key: MakeKey
) -> None:
    store = bearer(await make_key("stock:read"))
    tea = await anon.get("/v1/stock/TEA", headers=store)
    assert tea.status_code == 200 and tea.json()["available"] == 20
    assert [r["sku"] for r in (await anon.get("/v1/stock", headers=store)).json()["items"]] == ["RICE", "TEA"]
    assert (await anon.get("/v1/products/TEA", headers=store)).json()["name"] == "Green tea"
    order = await create(
        seed,
        "/v1/sales-orders",
        {"customer": "C1", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "unit_price": "5"}]},
    )
    for path in (
        f"/v1/sales-orders/{order['id']}",
        "/v1/sales-orders",
        "/v1/purchase-orders",
        "/v1/customers",
        "/v1/events",
        "/v1/stock/moves",
    ):
        assert_problem(await anon.get(path, headers=store), 403)
    async with writes_nothing(seed):
        response = await anon.post("/v1/products", json={"sku": "NEW", "name": "New"}, headers=store)
        assert_problem(response, 403)
        response = await anon.post(f"/v1/sales-orders/{order['id']}/cancel", headers=store)
        assert_problem(response, 403)
    assert_problem(await anon.get("/v1/products/NEW", headers=bearer(await make_key("read"))), 404)


async def test_a_read_key_reads_everything_and_writes_nothing(
    seed: httpx.AsyncClient, anon: httpx.AsyncClient, make_key: MakeKey
) -> None:
    reader = bearer(await make_key("read"))
    for path in (
        "/v1/sales-orders",
        "/v1/purchase-orders",
        "/v1/events",
        "/v1/stock/moves",
        "/v1/customers",
        "/v1/alerts",
    ):
        assert (await anon.get(path, headers=reader)).status_code == 200, path
    async with writes_nothing(seed):
        assert_problem(await anon.post("/v1/warehouses", json={"code": "GZ", "name": "Guangzhou"}, headers=reader), 403)
        assert_problem(await anon.patch("/v1/products/TEA", json={"name": "x"}, headers=reader), 403)


async def test_an_admin_key_may_write(anon: httpx.AsyncClient, make_key: MakeKey) -> None:
    admin = bearer(await make_key("admin"))
    response = await anon.post("/v1/warehouses", json={"code": "GZ", "name": "Guangzhou"}, headers=admin)
    assert response.status_code == 201


async def test_a_key_with_an_unknown_scope_gets_nothing(anon: httpx.AsyncClient, make_key: MakeKey) -> None:
    key = bearer(await make_key("superuser"))
    assert_problem(await anon.get("/v1/stock", headers=key), 403)


async def test_malformed_json_is_still_checked_for_a_key_first(anon: httpx.AsyncClient, make_key: MakeKey) -> None:
    junk = {"content": b'{"sku": ', "headers": {"Content-Type": "application/json"}}
    assert_unauthorized(await anon.post("/v1/products", **junk))
    reader = await make_key("read")
    assert_problem(
        await anon.post("/v1/products", content=junk["content"], headers=junk["headers"] | bearer(reader)), 403
    )
    writer = await make_key("write")
    assert_problem(
        await anon.post("/v1/products", content=junk["content"], headers=junk["headers"] | bearer(writer)), 400
    )
