"""A purchase → receipt → sale → shipment walk through the API, on both databases."""

from __future__ import annotations

import httpx


async def test_purchase_receive_sell_ship(api: httpx.AsyncClient) -> None:
    for path, body in [
        ("/v1/warehouses", {"code": "SH", "name": "Shanghai"}),
        ("/v1/suppliers", {"code": "ACME", "name": "Acme"}),
        ("/v1/customers", {"code": "C1", "name": "Cust"}),
        ("/v1/products", {"sku": "TEA", "name": "Tea"}),
    ]:
        assert (await api.post(path, json=body)).status_code == 201
    po = (
        await api.post(
            "/v1/purchase-orders",
            json={"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 10, "unit_cost": "2.00"}]},
        )
    ).json()
    assert (await api.post(f"/v1/purchase-orders/{po['id']}/approve")).json()["status"] == "approved"
    received = await api.post(
        f"/v1/purchase-orders/{po['id']}/receipts", json={"lines": [{"sku": "TEA", "accepted": 10}]}
    )
    assert received.json()["status"] == "received"
    so = await api.post(
        "/v1/sales-orders",
        json={"customer": "C1", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 4, "unit_price": "5"}]},
    )
    assert so.status_code == 201, so.text
    shipped = await api.post(
        f"/v1/sales-orders/{so.json()['id']}/shipments", json={"lines": [{"sku": "TEA", "qty": 4}]}
    )
    assert shipped.json()["status"] == "shipped"
    stock = (await api.get("/v1/stock/TEA")).json()
    assert stock["on_hand"] == 6 and stock["stock_value"] == "12.00"
