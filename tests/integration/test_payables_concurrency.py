"""Concurrent payables cannot over-pay a bill, over-bill a receipt, or enter one bill twice.

On PostgreSQL the requests race over a pool of connections and meet on the bill's and
the purchase order's row locks; on SQLite they queue for the one writer.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx


async def _received(api: httpx.AsyncClient, qty: int) -> int:
    for path, body in [
        ("/v1/warehouses", {"code": "WH", "name": "Main"}),
        ("/v1/suppliers", {"code": "SUP", "name": "Supplier"}),
        ("/v1/products", {"sku": "BOX", "name": "Box"}),
    ]:
        assert (await api.post(path, json=body)).status_code == 201
    lines = [{"sku": "BOX", "qty": qty, "unit_cost": "1"}]
    po = (await api.post("/v1/purchase-orders", json={"supplier": "SUP", "warehouse": "WH", "lines": lines})).json()
    await api.post(f"/v1/purchase-orders/{po['id']}/approve")
    await api.post(f"/v1/purchase-orders/{po['id']}/receipts", json={"lines": [{"sku": "BOX", "accepted": qty}]})
    return int(po["id"])


def _bill(order: int, ref: str, qty: int = 1) -> dict[str, object]:
    lines = [{"sku": "BOX", "qty": qty, "unit_cost": "1"}]
    return {"purchase_order": order, "supplier_reference": ref, "date": "2026-12-01", "lines": lines}


async def test_concurrent_payments_to_one_bill_never_over_pay_it(api: httpx.AsyncClient) -> None:
    order = await _received(api, 10)
    bill = (await api.post("/v1/bills", json=_bill(order, "B", 10))).json()  # 10.00 due
    payment = {"supplier": "SUP", "amount": "3.00", "currency": "USD", "date": "2026-12-02", "method": "bank"}
    allocation = {"allocations": [{"bill": bill["id"], "amount": "3.00"}]}

    responses = await asyncio.gather(*(api.post("/v1/supplier-payments", json=payment | allocation) for _ in range(8)))

    assert Counter(r.status_code for r in responses) == {201: 3, 422: 5}
    after = (await api.get(f"/v1/bills/{bill['id']}")).json()
    assert (after["amount_paid"], after["amount_due"], after["status"]) == ("9.00", "1.00", "partially_paid")


async def test_concurrent_bills_never_bill_more_than_was_received(api: httpx.AsyncClient) -> None:
    order = await _received(api, 5)

    responses = await asyncio.gather(*(api.post("/v1/bills", json=_bill(order, f"B{i}", 2)) for i in range(6)))

    assert Counter(r.status_code for r in responses) == {201: 2, 422: 4}
    [line] = (await api.get(f"/v1/purchase-orders/{order}")).json()["lines"]
    assert line["billed"] == 4


async def test_one_supplier_reference_sent_concurrently_becomes_one_bill(api: httpx.AsyncClient) -> None:
    order = await _received(api, 10)

    responses = await asyncio.gather(*(api.post("/v1/bills", json=_bill(order, "SAME")) for _ in range(6)))

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 5}
    assert len((await api.get("/v1/bills")).json()["items"]) == 1
