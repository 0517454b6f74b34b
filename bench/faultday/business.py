"""What the business does during the day: set up, then the steps of the plan.

Orders are placed, cancelled and refunded in the store through the simulator's control
API (as customers and the merchant would); purchases, counts and shipments go through
the hub's API, each write with an ``Idempotency-Key`` derived from the step, so that a
retry across a killed ``hub serve`` has no second effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import httpx

from bench.faultday.client import HubClient
from bench.faultday.plan import LOCATIONS, SKUS

__all__ = ["CONNECTOR", "SECRET", "TOKEN", "Business", "simulator_ok", "wait_for"]

CONNECTOR = "shopify"
TOKEN = "shpat_fault_harness_0123456789"
SECRET = "shpss_fault_harness_9876543210"


async def simulator_ok(request: Any) -> Any:
    """The simulator's JSON answer to ``request`` (awaited); an error if it refused."""
    response: httpx.Response = await request
    if response.status_code >= 400:
        raise RuntimeError(f"simulator: {response.request.url.path}: {response.status_code} {response.text[:300]}")
    return response.json()


_ok = simulator_ok


class Business:
    """One method per kind of step (``plan.STEP_KINDS``): each says whether it did something
    (False: nothing to act on, or the hub or store refused, as it may)."""

    def __init__(self, seed: int, hub: HubClient, shop: httpx.AsyncClient) -> None:
        self.seed, self.hub, self.shop = seed, hub, shop
        # A customer cancelling in the store what the warehouse has already shipped is a
        # business conflict (the store cannot fulfil a cancelled order), not a fault the
        # hub should absorb: the day never ships what it cancelled, nor cancels what it shipped.
        self.cancelled: set[str] = set()
        self.shipped: set[str] = set()

    # -- before the day ------------------------------------------------------------------------

    async def set_up(self, shop_url: str) -> None:
        """Warehouses, supplier, products, 20 of each SKU in each warehouse; then the
        connector, and its first reconciliations (orders, stock) finished."""
        seed = self.seed
        for i, (path, record) in enumerate(
            [("/v1/warehouses", {"code": code, "name": name}) for name, code in LOCATIONS.items()]
            + [("/v1/suppliers", {"code": "ACME", "name": "Acme Trading"})]
            + [("/v1/products", {"sku": sku, "name": sku, "list_price": "10.00"}) for sku in SKUS]
        ):
            await self.hub.json("POST", path, json=record, key=f"day-{seed}-setup-{i}")
        for code in LOCATIONS.values():
            await self.receive(f"setup-{code}", warehouse=code, lines=dict.fromkeys(SKUS, 20))
        state = await _ok(self.shop.get("/_simulator/state"))
        ids = {loc["name"]: loc["admin_graphql_api_id"] for loc in state["locations"]}
        body: dict[str, Any] = {
            "id": CONNECTOR,
            "type": "shopify",
            "config": {
                "shop_url": shop_url,
                "access_token": TOKEN,
                "webhook_secret": SECRET,
                "poll_interval_seconds": 1,
            },
            "mappings": {"locations": {ids[name]: code for name, code in LOCATIONS.items()}},
        }
        await self.hub.json("POST", "/v1/connectors", json=body, key=f"day-{seed}-connector")

        async def started() -> bool:
            runs = (await self.hub.json("GET", f"/v1/connectors/{CONNECTOR}/runs"))["items"]
            return {r["entity"] for r in runs if r["trigger"] == "start" and r["finished_at"]} == {"orders", "stock"}

        await wait_for(started, "the connector's first reconciliations", 60)

    # -- the day ---------------------------------------------------------------------------------

    async def store_order(self, _ref: str, *, location: str, lines: list[list[Any]]) -> bool:
        body = {"line_items": [{"sku": sku, "quantity": qty} for sku, qty in lines], "location": location}
        await _ok(self.shop.post("/_simulator/orders", json=body))
        return True

    async def receive(self, ref: str, *, warehouse: str, lines: dict[str, int]) -> bool:
        """A purchase order approved and received in full (three writes)."""
        order_lines = [{"sku": sku, "qty": qty, "unit_cost": "4.00"} for sku, qty in lines.items()]
        body = {"supplier": "ACME", "warehouse": warehouse, "lines": order_lines}
        order = await self.hub.json("POST", "/v1/purchase-orders", json=body, key=f"day-{ref}-po")
        await self.hub.json("POST", f"/v1/purchase-orders/{order['id']}/approve", key=f"day-{ref}-approve")
        received = {"lines": [{"sku": sku, "accepted": qty} for sku, qty in lines.items()]}
        await self.hub.json("POST", f"/v1/purchase-orders/{order['id']}/receipts", json=received, key=f"day-{ref}-gr")
        return True

    async def count(self, ref: str, *, warehouse: str, sku: str, delta: int) -> bool:
        rows = (await self.hub.json("GET", "/v1/stock", params={"sku": sku, "warehouse": warehouse}))["items"]
        on_hand, reserved = (rows[0]["on_hand"], rows[0]["reserved"]) if rows else (0, 0)
        body = {"warehouse": warehouse, "lines": [{"sku": sku, "counted": max(reserved, on_hand + delta, 0)}]}
        response = await self.hub.call("POST", "/v1/stock-counts", json=body, key=f"day-{ref}-count")
        return response.status_code == 201  # 409: an order reserved more meanwhile

    async def ship(self, ref: str, *, pick: float) -> bool:
        params = {"channel": CONNECTOR, "status": "confirmed", "limit": 500}
        orders = sorted((await self.hub.json("GET", "/v1/sales-orders", params=params))["items"], key=lambda o: o["id"])
        orders = [o for o in orders if o["external_id"] not in self.cancelled]
        if not orders:
            return False
        order = orders[int(pick * len(orders))]
        lines = [
            {"sku": ln["sku"], "qty": ln["qty"] - ln["shipped"]} for ln in order["lines"] if ln["qty"] > ln["shipped"]
        ]
        body = {"lines": lines, "carrier": "SF Express", "tracking": f"SF{ref.replace('-', '')}"}
        self.shipped.add(order["external_id"])
        response = await self.hub.call(
            "POST", f"/v1/sales-orders/{order['id']}/shipments", json=body, key=f"day-{ref}-ship"
        )
        return response.status_code == 201  # 409: cancelled in the store meanwhile

    async def _store_orders(self, fulfilled: bool) -> list[dict[str, Any]]:
        orders = await _ok(self.shop.get("/_simulator/orders"))
        return [o for o in orders if not o["cancelled_at"] and (o["fulfillment_status"] is not None) == fulfilled]

    async def refund(self, _ref: str, *, pick: float) -> bool:
        orders = await self._store_orders(fulfilled=True)
        if not orders:
            return False
        order = orders[int(pick * len(orders))]
        line = order["line_items"][0]
        body = {"line_items": [{"sku": line["sku"], "quantity": 1, "restock_type": "RETURN"}]}
        response = await self.shop.post(f"/_simulator/orders/{order['id']}/refunds", json=body)
        return response.status_code == 201  # 422: nothing left to refund on that line

    async def cancel(self, _ref: str, *, pick: float) -> bool:
        orders = [o for o in await self._store_orders(fulfilled=False) if o["admin_graphql_api_id"] not in self.shipped]
        if not orders:
            return False
        order = orders[int(pick * len(orders))]
        self.cancelled.add(order["admin_graphql_api_id"])
        response = await self.shop.post(f"/_simulator/orders/{order['id']}/cancel", json={})
        return response.status_code == 200


async def wait_for(check: Any, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        with contextlib.suppress(httpx.TransportError):
            last = await check()
            if last is True:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:.0f}s: {what} (last: {last!r})")
        await asyncio.sleep(0.2)
