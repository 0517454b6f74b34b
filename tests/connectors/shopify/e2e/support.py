"""What the Shopify end-to-end tests share: the running stack, its helpers, and waiting.

``Stack`` drives both sides: the hub through its HTTP API (``api``), the store through
the simulator's control API (``shop``, under ``/_simulator``), as a merchant, a
customer and Shopify itself would. Waiting is always for a condition (``eventually``),
never for a time.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from hub.bootstrap import Hub
from hub.simulators.shopify import ShopifySimulator
from hub.outbox.runtime import EventRuntime

CONNECTOR = "shopify"
TOKEN = "shpat_e2e_0123456789abcdef"
SECRET = "shpss_e2e_fedcba9876543210"

#: Which hubs a test runs on (the ``flavour`` fixture): every scenario on SQLite, the
#: main ones on PostgreSQL too (``local``), and a round trip on PostgreSQL with Kafka.
SQLITE = pytest.param("sqlite", id="sqlite-local")
POSTGRES = pytest.param("postgres", id="postgres-local", marks=pytest.mark.postgres)
KAFKA = pytest.param("kafka", id="postgres-kafka", marks=[pytest.mark.postgres, pytest.mark.kafka])

local = pytest.mark.parametrize("flavour", [SQLITE, POSTGRES], indirect=True)
sqlite_only = pytest.mark.parametrize("flavour", [SQLITE], indirect=True)


@dataclass(frozen=True)
class Flavour:
    name: str
    database_url: str
    transport: str = "local"
    bootstrap: str = ""


async def eventually(check: Callable[[], Awaitable[Any]], what: str, *, timeout: float = 30.0) -> Any:
    """Poll ``check`` until it returns something truthy (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what} (last: {found!r})")
        await asyncio.sleep(0.05)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else None


@dataclass
class Exchange:
    """One GraphQL request the store answered: the operation, its variables, the answer."""

    operation: str
    variables: dict[str, Any]
    answer: dict[str, Any]


class Wiretap:
    """Between the connector and the store (ASGI, around the simulator's app): records
    every GraphQL exchange and, when told, lets the platform act at the very moment a
    given operation arrives, before the store handles it — the race a test cannot
    otherwise time."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []
        self._before: dict[str, list[Callable[[], None]]] = {}

    def before_next(self, operation: str, action: Callable[[], None]) -> None:
        """Run ``action`` once, when the next ``operation`` (e.g. ``InventorySet``) arrives."""
        self._before.setdefault(operation, []).append(action)

    def of(self, operation: str) -> list[Exchange]:
        return [exchange for exchange in self.exchanges if exchange.operation == operation]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/graphql.json"):
            await self.app(scope, receive, send)
            return
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = json.loads(body or b"{}")
        match = re.search(r"\b(?:query|mutation)\s+(\w+)", request.get("query") or "")
        operation = match.group(1) if match else ""
        for action in self._before.pop(operation, []):
            action()
        answer = b""

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        async def record(message: Any) -> None:
            nonlocal answer
            if message["type"] == "http.response.body":
                answer += message.get("body", b"")
            await send(message)

        await self.app(scope, replay, record)
        self.exchanges.append(Exchange(operation, request.get("variables") or {}, json.loads(answer or b"{}")))


@dataclass
class Stack:
    hub: Hub
    events: EventRuntime
    api: httpx.AsyncClient
    sim: ShopifySimulator
    wiretap: Wiretap
    shop: httpx.AsyncClient
    shop_url: str
    #: Every body the hub answered (none may carry a secret).
    answers: list[str] = field(default_factory=list)

    async def wait(self, check: Callable[[], Awaitable[Any]], what: str, *, timeout: float = 30.0) -> Any:
        """:func:`eventually`, failing with what the connector reports about itself."""
        try:
            return await eventually(check, what, timeout=timeout)
        except AssertionError as error:
            response = await self.api.get(f"/v1/connectors/{CONNECTOR}")
            runs = await self.api.get(f"/v1/connectors/{CONNECTOR}/runs")
            raise AssertionError(f"{error}\nconnector: {response.text}\nruns: {runs.text}") from None

    # -- the hub ------------------------------------------------------------------------------

    async def seed_hub(self) -> None:
        for path, body in [
            ("/v1/warehouses", {"code": "SH", "name": "Shanghai DC"}),
            ("/v1/warehouses", {"code": "HZ", "name": "Hangzhou Store"}),
            ("/v1/suppliers", {"code": "ACME", "name": "Acme Trading"}),
            ("/v1/customers", {"code": "WALKIN", "name": "Walk-in"}),
            ("/v1/products", {"sku": "TEA", "name": "Jasmine tea", "list_price": "12.50"}),
            ("/v1/products", {"sku": "CUP", "name": "Celadon cup", "list_price": "18.00"}),
            ("/v1/products", {"sku": "MUG", "name": "Mug", "list_price": "9.00"}),
        ]:
            ok(await self.api.post(path, json=body), 201)
        await self.receive("SH", {"TEA": 100, "CUP": 40})
        await self.receive("HZ", {"TEA": 20})

    async def receive(self, warehouse: str, quantities: dict[str, int]) -> None:
        """Stock in: a purchase order approved and received in full."""
        lines = [{"sku": sku, "qty": qty, "unit_cost": "2.00"} for sku, qty in quantities.items()]
        order = ok(
            await self.api.post(
                "/v1/purchase-orders", json={"supplier": "ACME", "warehouse": warehouse, "lines": lines}
            ),
            201,
        )
        ok(await self.api.post(f"/v1/purchase-orders/{order['id']}/approve"))
        received = [{"sku": sku, "accepted": qty} for sku, qty in quantities.items()]
        ok(await self.api.post(f"/v1/purchase-orders/{order['id']}/receipts", json={"lines": received}), 201)

    async def sell(self, warehouse: str, sku: str, qty: int) -> dict[str, Any]:
        """A sale the hub makes itself (not through the store)."""
        body = {"customer": "WALKIN", "warehouse": warehouse, "lines": [{"sku": sku, "qty": qty, "unit_price": "1.00"}]}
        return ok(await self.api.post("/v1/sales-orders", json=body), 201)  # type: ignore[no-any-return]

    async def add_connector(self, *, mappings: dict[str, Any] | None = None, **config: Any) -> dict[str, Any]:
        """Add the instance and wait for its first reconciliations (orders, stock) to end."""
        response = await self.api.post("/v1/connectors", json=self.connector_body(mappings=mappings, **config))
        added = ok(response, 201)

        async def started() -> bool:
            done = {run["entity"] for run in await self.runs() if run["trigger"] == "start" and run["finished_at"]}
            return done == {"orders", "stock"}

        await self.wait(started, "the first reconciliations")
        return added  # type: ignore[no-any-return]

    def connector_body(self, *, mappings: dict[str, Any] | None = None, **config: Any) -> dict[str, Any]:
        return {
            "id": CONNECTOR,
            "type": "shopify",
            "config": {
                "shop_url": self.shop_url,
                "access_token": TOKEN,
                "webhook_secret": SECRET,
                "poll_interval_seconds": 1,
                **config,
            },
            "mappings": mappings if mappings is not None else self.mappings(),
        }

    def mappings(self, **allocation: Any) -> dict[str, Any]:
        return {
            "locations": {self.location("Shanghai DC"): "SH", self.location("Hangzhou Store"): "HZ"},
            "allocation": allocation,
        }

    async def status(self) -> dict[str, Any]:
        return ok(await self.api.get(f"/v1/connectors/{CONNECTOR}"))  # type: ignore[no-any-return]

    async def runs(self, entity: str | None = None) -> list[dict[str, Any]]:
        items = ok(await self.api.get(f"/v1/connectors/{CONNECTOR}/runs"))["items"]
        return [run for run in items if entity is None or run["entity"] == entity]

    async def orders_of(self, external_id: str) -> list[dict[str, Any]]:
        """The hub's sales orders for one store order."""
        page = ok(await self.api.get("/v1/sales-orders", params={"channel": CONNECTOR, "external_id": external_id}))
        return page["items"]  # type: ignore[no-any-return]

    async def order_of(self, external_id: str, what: str = "the order") -> dict[str, Any]:
        """Wait for the one hub sales order of a store order."""
        found = await self.wait(lambda: self.orders_of(external_id), f"{what} {external_id} in the hub")
        assert len(found) == 1, found
        return found[0]  # type: ignore[no-any-return]

    async def polled(self) -> dict[str, Any]:
        """Wait for a poll of the store's orders that starts after now; its run report."""
        since = max((run["id"] for run in await self.runs()), default=0)

        async def done() -> dict[str, Any] | None:
            runs = await self.runs("orders")
            return next((run for run in runs if run["id"] > since and run["finished_at"]), None)

        return await self.wait(done, "a poll of the store's orders")  # type: ignore[no-any-return]

    async def settled(self) -> None:
        """Wait until the store has sent every webhook and the connector has worked them."""
        await self.settled_deliveries()

        async def idle() -> bool:
            return not (await self.status())["queue"]

        await self.wait(idle, "the connector's queue to empty")

    async def settled_deliveries(self) -> None:
        """Wait until the store has sent (or given up on) every webhook."""
        ok(await self.shop.post("/_simulator/webhooks/drain"))

    def runtime_workers(self) -> set[str]:
        """Instances the connector runtime runs a worker for (the runtime is the hook the
        connector service calls when instances change)."""
        runtime = getattr(self.hub.connectors.on_change, "__self__", None)
        return {id for id, (_worker, task) in getattr(runtime, "workers", {}).items() if not task.done()}

    async def stock(self, sku: str, warehouse: str) -> dict[str, Any]:
        rows = ok(await self.api.get("/v1/stock", params={"sku": sku, "warehouse": warehouse}))["items"]
        return rows[0] if rows else {"on_hand": 0, "reserved": 0, "available": 0}  # type: ignore[no-any-return]

    # -- the store ----------------------------------------------------------------------------

    def location(self, name: str) -> str:
        return next(loc.id for loc in self.sim.store.locations.values() if loc.name == name)

    async def available(self) -> dict[tuple[str, str], int]:
        """The store's ``available`` by (SKU, location name)."""
        rows = ok(await self.shop.get("/_simulator/inventory"))
        return {(row["sku"], row["location"]): row["available"] for row in rows}

    async def place_order(self, *lines: tuple[str, int], location: str = "Shanghai DC") -> dict[str, Any]:
        """A customer orders in the store."""
        body = {"line_items": [{"sku": sku, "quantity": qty} for sku, qty in lines], "location": location}
        return ok(await self.shop.post("/_simulator/orders", json=body), 201)  # type: ignore[no-any-return]

    async def configure_store(self, **settings: Any) -> None:
        ok(await self.shop.patch("/_simulator/config", json=settings))

    async def deliveries(self) -> list[dict[str, Any]]:
        return ok(await self.shop.get("/_simulator/webhooks"))  # type: ignore[no-any-return]

    async def counters(self) -> dict[str, Any]:
        return ok(await self.shop.get("/_simulator/counters"))  # type: ignore[no-any-return]
