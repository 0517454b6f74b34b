"""Concurrent orders cannot oversell, overdraw credit, or duplicate a channel order.

These run on both databases; on PostgreSQL the requests truly race over a pool of
connections, so they exercise the row locks (``SELECT … FOR UPDATE``).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from hub.bootstrap import Hub


async def _business(api: httpx.AsyncClient, *, on_hand: int, credit_limit: str | None = None) -> None:
    for path, body in [
        ("/v1/warehouses", {"code": "WH", "name": "Main"}),
        ("/v1/suppliers", {"code": "SUP", "name": "Supplier"}),
        ("/v1/customers", {"code": "C", "name": "Customer", "credit_limit": credit_limit}),
        ("/v1/products", {"sku": "LAST", "name": "Scarce item"}),
    ]:
        assert (await api.post(path, json=body)).status_code == 201
    po = await api.post(
        "/v1/purchase-orders",
        json={"supplier": "SUP", "warehouse": "WH", "lines": [{"sku": "LAST", "qty": on_hand, "unit_cost": "1"}]},
    )
    await api.post(f"/v1/purchase-orders/{po.json()['id']}/approve")
    await api.post(
        f"/v1/purchase-orders/{po.json()['id']}/receipts", json={"lines": [{"sku": "LAST", "accepted": on_hand}]}
    )


def _order(qty: int = 1, **extra: object) -> dict[str, object]:
    return {"customer": "C", "warehouse": "WH", "lines": [{"sku": "LAST", "qty": qty, "unit_price": "10"}], **extra}


async def test_fifty_concurrent_orders_against_ten_units_confirm_exactly_ten(api: httpx.AsyncClient) -> None:
    await _business(api, on_hand=10)

    responses = await asyncio.gather(*(api.post("/v1/sales-orders", json=_order()) for _ in range(50)))

    assert Counter(r.status_code for r in responses) == {201: 10, 409: 40}
    assert all(r.json()["status"] == "confirmed" for r in responses if r.status_code == 201)
    refused = next(r.json() for r in responses if r.status_code == 409)
    assert refused["shortages"][0]["available"] == 0
    stock = (await api.get("/v1/stock/LAST")).json()
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (10, 10, 0)
    confirmed = (await api.get("/v1/sales-orders", params={"status": "confirmed", "limit": 100})).json()["items"]
    assert len(confirmed) == 10


async def test_concurrent_orders_cannot_both_fit_under_the_credit_limit(api: httpx.AsyncClient) -> None:
    await _business(api, on_hand=100, credit_limit="100")

    responses = await asyncio.gather(*(api.post("/v1/sales-orders", json=_order(3)) for _ in range(12)))

    statuses = Counter(r.json()["status"] for r in responses)
    # 3 × 10 = 30 per order: three fit under 100, every later one waits for approval.
    assert statuses == {"confirmed": 3, "on_hold": 9}
    assert (await api.get("/v1/stock/LAST")).json()["reserved"] == 9


async def test_one_channel_order_sent_concurrently_becomes_one_sales_order(api: httpx.AsyncClient, hub: Hub) -> None:
    await _business(api, on_hand=10)
    order = _order(1, channel="shop", external_id="#1001")

    responses = await asyncio.gather(*(api.post("/v1/sales-orders", json=order) for _ in range(8)))

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 7}
    found = (await api.get("/v1/sales-orders", params={"channel": "shop", "external_id": "#1001"})).json()["items"]
    assert len(found) == 1
    assert (await api.get("/v1/stock/LAST")).json()["reserved"] == 1


async def test_an_issue_raced_into_several_production_receipts_is_consumed_once(api: httpx.AsyncClient) -> None:
    await _business(api, on_hand=10)
    assert (await api.post("/v1/products", json={"sku": "KIT", "name": "Kit"})).status_code == 201
    issue = await api.post("/v1/production/issues", json={"warehouse": "WH", "lines": [{"sku": "LAST", "qty": 4}]})
    receipt = {"warehouse": "WH", "lines": [{"sku": "KIT", "qty": 1}], "from_issues": [issue.json()["id"]]}

    responses = await asyncio.gather(*(api.post("/v1/production/receipts", json=receipt) for _ in range(8)))

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 7}
    kit = (await api.get("/v1/stock/KIT")).json()
    assert (kit["on_hand"], kit["stock_value"]) == (1, "4.00")


async def test_concurrent_payments_never_over_pay_one_invoice(api: httpx.AsyncClient) -> None:
    await _business(api, on_hand=10)
    order = (await api.post("/v1/sales-orders", json=_order(10))).json()
    await api.post(f"/v1/sales-orders/{order['id']}/shipments", json={"lines": [{"sku": "LAST", "qty": 10}]})
    invoice = (await api.post("/v1/invoices", json={"sales_order": order["id"]})).json()
    assert invoice["amount_due"] == "100.00"

    def payment(amount: str) -> dict[str, object]:
        allocation = {"invoice": invoice["id"], "amount": amount}
        return {"customer": "C", "amount": amount, "currency": "USD", "method": "cash", "allocations": [allocation]}

    # 15.00 each: six fit into 100.00 (90.00); every later one would take it past what is due.
    responses = await asyncio.gather(*(api.post("/v1/payments", json=payment("15.00")) for _ in range(20)))

    assert Counter(r.status_code for r in responses) == {201: 6, 422: 14}
    assert all(r.json()["errors"][0]["field"] == "allocations[0].amount" for r in responses if r.status_code == 422)
    paid = (await api.get(f"/v1/invoices/{invoice['id']}")).json()
    assert (paid["paid"], paid["amount_due"], paid["status"]) == ("90.00", "10.00", "partially_paid")
    payments = (await api.get("/v1/payments", params={"limit": 100})).json()["items"]
    assert sorted(p["number"] for p in payments) == [f"PAY-{n:06d}" for n in range(1, 7)]  # gap-free

    # Customer credit allocated later races the same way: 10.00 left, ten tries at 5.00 each.
    credit = [(await api.post("/v1/payments", json=payment("5.00") | {"allocations": []})).json() for _ in range(10)]
    later = {"allocations": [{"invoice": invoice["id"], "amount": "5.00"}]}
    responses = await asyncio.gather(*(api.post(f"/v1/payments/{p['id']}/allocations", json=later) for p in credit))
    assert Counter(r.status_code for r in responses) == {201: 2, 422: 8}
    paid = (await api.get(f"/v1/invoices/{invoice['id']}")).json()
    assert (paid["paid"], paid["amount_due"], paid["status"]) == ("100.00", "0.00", "paid")
