"""Helpers for the API tests: make documents, read the books, and check refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx

PROBLEM = "application/problem+json"


async def create(api: httpx.AsyncClient, path: str, body: Any = None, *, status: int = 201, **kwargs: Any) -> Any:
    """POST and insist on ``status``; the response body."""
    response = await api.post(path, json=body, **kwargs)
    assert response.status_code == status, response.text
    return response.json()


async def purchase(
    api: httpx.AsyncClient, lines: Iterable[tuple[str, float, str]], *, warehouse: str = "SH"
) -> dict[str, Any]:
    """Bring stock in: a purchase order from ACME, approved and received in full."""
    lines = [{"sku": sku, "qty": qty, "unit_cost": cost} for sku, qty, cost in lines]
    order = await create(api, "/v1/purchase-orders", {"supplier": "ACME", "warehouse": warehouse, "lines": lines})
    await create(api, f"/v1/purchase-orders/{order['id']}/approve", status=200)
    accepted = [{"sku": line["sku"], "accepted": line["qty"]} for line in lines]
    return await create(api, f"/v1/purchase-orders/{order['id']}/receipts", {"lines": accepted})


def sales_body(*lines: tuple[str, float, str], customer: str = "C1", **extra: Any) -> dict[str, Any]:
    return {
        "customer": customer,
        "warehouse": "SH",
        "lines": [{"sku": sku, "qty": qty, "unit_price": price} for sku, qty, price in lines],
        **extra,
    }


async def sell(api: httpx.AsyncClient, *lines: tuple[str, float, str], **extra: Any) -> dict[str, Any]:
    """A sales order from SH (C1 unless ``customer=`` says otherwise), created or failing the test."""
    return await create(api, "/v1/sales-orders", sales_body(*lines, **extra))


async def walk(api: httpx.AsyncClient, path: str, *, cursor_param: str = "cursor", **params: Any) -> list[Any]:
    """Every item of a paginated list, following ``next_cursor`` to the end."""
    items: list[Any] = []
    cursor = None
    while True:
        query = dict(params) | ({cursor_param: cursor} if cursor is not None else {})
        response = await api.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def events(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    return await walk(api, "/v1/events", cursor_param="after", limit=500, **params)


async def stock(api: httpx.AsyncClient, sku: str, warehouse: str = "SH") -> dict[str, Any]:
    """The stock row of one SKU in one warehouse (zeros when it never had stock)."""
    rows = (await api.get("/v1/stock", params={"sku": sku, "warehouse": warehouse})).json()["items"]
    zero = {"sku": sku, "warehouse": warehouse, "on_hand": 0, "reserved": 0, "available": 0, "in_transit": 0}
    return rows[0] if rows else zero


async def books(api: httpx.AsyncClient) -> dict[str, Any]:
    """Everything a refused request must leave as it was: events, stock, documents.

    (Every ledger move is announced by a ``stock.moved`` event, so the events cover the ledger.)
    """
    return {
        "events": [e["event_id"] for e in await events(api)],
        "stock": await walk(api, "/v1/stock", limit=500),
        "sales_orders": await walk(api, "/v1/sales-orders", limit=500),
        "purchase_orders": await walk(api, "/v1/purchase-orders", limit=500),
        "bills": await walk(api, "/v1/bills", limit=500),
        "supplier_payments": await walk(api, "/v1/supplier-payments", limit=500),
        "expenses": await walk(api, "/v1/expenses", limit=500),
    }


@asynccontextmanager
async def writes_nothing(api: httpx.AsyncClient) -> AsyncIterator[None]:
    """Assert that whatever the block does leaves the books (events, stock, documents) unchanged."""
    before = await books(api)
    yield
    after = await books(api)
    for part in before:
        assert after[part] == before[part], f"{part} changed"


@asynccontextmanager
async def no_new_events(api: httpx.AsyncClient) -> AsyncIterator[None]:
    """A cheaper :func:`writes_nothing` for each case of a loop that is wrapped in one as a whole."""
    feed = (await api.get("/v1/events", params={"limit": 500})).json()
    assert feed["next_cursor"] is None, "more events than this check reads"
    last = feed["items"][-1]["seq"] if feed["items"] else 0
    yield
    assert (await api.get("/v1/events", params={"after": last})).json()["items"] == [], "events were written"


def assert_problem(response: httpx.Response, status: int, *fields: str) -> dict[str, Any]:
    """A problem+json refusal with ``status`` naming each of ``fields``; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:jxc-hub:problem:") and body["title"] and body["detail"]
    named = {error["field"] for error in body.get("errors", [])} | {s["field"] for s in body.get("shortages", [])}
    for field in fields:
        assert field in named, f"{field!r} not named in {body}"
    return body
