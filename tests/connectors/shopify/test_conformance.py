"""The Shopify connector passes the conformance kit, against the simulated store.

The store's clock is real time plus an offset, so the connector's cursors (stamped
from the wall clock when it is added) and the store's timestamps agree, and new orders
can be placed strictly later without sleeping.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from hub.connectors.sdk.base import Connector
from hub.connectors.sdk.pagination import Page, paginate
from hub.connectors.sdk.testing import ConnectorConformance, FaultyTransport, Harness
from hub.connectors.shopify import queries
from hub.connectors.shopify.connector import ShopifyConnector
from hub.simulators.shopify import PLANS, ShopifySimulator
from hub.connectors.shopify.stock import _variant
from hub.core import handlers
from hub.core.commands import CountLine, NewProduct, NewStockCount, NewWarehouse
from hub.db.uow import UnitOfWorkFactory
from hub.mappings.shopify import order_from_graphql

TOKEN, SECRET = "shpat_conformance", "shpss_conformance"
#: More SKUs than one page of variants holds (40), so reads really page.
SKUS = [f"SKU-{n:02}" for n in range(45)]
DC = "Shanghai DC"


class ShiftedClock:
    """Wall-clock time, moved ahead by ``later()`` (the store stamps to the second)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def later(self) -> None:
        self.offset += 2


@dataclass
class Store:
    sim: ShopifySimulator
    clock: ShiftedClock
    #: Webhooks the store sent: (headers, body).
    webhooks: list[tuple[Mapping[str, str], bytes]] = field(default_factory=list)

    def place_order(self) -> str:
        self.clock.later()
        return self.sim.store.create_order([{"sku": SKUS[0], "quantity": 1}], location=DC).id

    async def webhook(self) -> tuple[Mapping[str, str], bytes]:
        self.place_order()
        await self.sim.webhooks.drain()
        return self.webhooks[-1]


async def _loop_pages(request: httpx.Request, response: httpx.Response) -> httpx.Response:
    """Every connection says there is a next page, after the one just asked for."""
    asked = (json.loads(request.content).get("variables") or {}).get("after")
    body = response.json()

    def loop(value: Any) -> None:
        if isinstance(value, dict):
            info = value.get("pageInfo")
            if isinstance(info, dict):
                info["hasNextPage"] = True
                info["endCursor"] = asked or info.get("endCursor")
            for inner in value.values():
                loop(inner)
        elif isinstance(value, list):
            for inner in value:
                loop(inner)

    loop(body.get("data"))
    return httpx.Response(response.status_code, json=body, request=request)


class TestShopifyConformance(ConnectorConformance):
    connector = ShopifyConnector

    @pytest.fixture
    def hub_database_url(self, sqlite_url: str) -> str:
        return sqlite_url

    @pytest.fixture
    async def vendor(self) -> AsyncIterator[Store]:
        received: list[tuple[Mapping[str, str], bytes]] = []

        def hook(request: httpx.Request) -> httpx.Response:
            received.append((dict(request.headers), request.content))
            return httpx.Response(200)

        clock = ShiftedClock()
        sim = ShopifySimulator(
            access_token=TOKEN,
            webhook_secret=SECRET,
            clock=clock,
            # Plus plan: retrying the 589-point order read waits well under a second.
            restore_rate=PLANS["plus"],
            webhook_transport=httpx.MockTransport(hook),
        )
        sim.store.seed(
            {
                "locations": [DC, "Hangzhou Store"],
                "products": [{"title": sku, "variants": [{"sku": sku, "inventory": {DC: 100}}]} for sku in SKUS],
            }
        )
        yield Store(sim, clock, received)
        await sim.aclose()

    def vendor_transport(self, vendor: Store) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=vendor.sim.app)

    def valid_config(self, vendor: Store) -> dict[str, Any]:
        return {"shop_url": "http://shop.test", "access_token": TOKEN, "webhook_secret": SECRET}

    def valid_mappings(self, vendor: Store) -> dict[str, Any]:
        return {"locations": {vendor.sim.store.location(DC).id: "SH"}}

    def bad_credentials(self, config: dict[str, Any]) -> dict[str, Any]:
        return {**config, "access_token": "shpat_wrong"}

    def invalid_values(self) -> dict[str, Any]:
        return {"shop_url": "shop.test/admin", "api_version": "2025", "poll_interval_seconds": 0}

    async def seed(self, vendor: Store, uows: UnitOfWorkFactory) -> None:
        # The hub counts 7 of each SKU; the store says 100: the first reconciliation writes.
        async with uows() as uow:
            await handlers.create_warehouse(NewWarehouse(code="SH", name=DC), uow)
            for sku in SKUS:
                await handlers.create_product(NewProduct(sku=sku, name=sku), uow)
            await handlers.post_stock_count(
                NewStockCount(warehouse="SH", lines=[CountLine(sku=sku, counted=7) for sku in SKUS]), uow
            )
            await uow.commit()

    def add_vendor_records(self, vendor: Store) -> None:
        vendor.place_order()

    async def read_records(self, connector: Connector[Any, Any]) -> dict[str, list[Any]]:
        assert isinstance(connector, ShopifyConnector)

        async def variants(token: str | None) -> Page[dict[str, Any]]:
            variables = {"first": 40, "after": token, "query": None, "levels": 1}
            found = (await connector.client.execute(queries.VARIANTS, variables))["productVariants"]
            info = found["pageInfo"]
            return Page(found["nodes"], info["endCursor"] if info["hasNextPage"] else None)

        return {
            "orders": [node async for node in connector.orders.changed_since(None)],
            "variants": [node async for node in paginate(variants)],
        }

    def parse_record(self, stream: str, record: Any) -> object:
        if stream == "orders":
            return order_from_graphql(record)
        variant = _variant(record)
        assert variant is not None, f"a variant the connector cannot read: {record}"
        return variant

    def throttle(self, vendor: Store) -> bool:
        bucket = vendor.sim.bucket
        bucket.configure(restore_rate=2)  # the retry waits its minimum 0.5 s for 1 point
        assert bucket.try_take(bucket.available())
        return True

    def loop_pagination(self, vendor: Store, faults: FaultyTransport) -> bool:
        faults.rewrite = _loop_pages
        return True

    def work_item(self, vendor: Store) -> tuple[str, str]:
        return "order", vendor.place_order()

    async def signed_webhook(self, vendor: Store) -> tuple[Mapping[str, str], bytes]:
        vendor.sim.configure(webhook_url="http://hub.test/v1/webhooks/conformance")
        return await vendor.webhook()

    async def badly_signed_webhook(self, vendor: Store) -> tuple[Mapping[str, str], bytes]:
        vendor.sim.configure(webhook_url="http://hub.test/v1/webhooks/conformance", webhook_bad_signature=True)
        try:
            return await vendor.webhook()
        finally:
            vendor.sim.configure(webhook_bad_signature=False)

    async def test_an_order_placed_before_the_connector_stays_out_however_it_changes(self, harness: Harness) -> None:
        store = harness.vendor
        store.clock.offset = -120
        old = store.place_order()
        store.clock.offset = 0
        await self.seed(store, harness.uows)
        await harness.add()
        store.clock.later()
        store.sim.store.cancel_order(old)  # now the store's most recent change
        for _ in range(2):
            reports = await harness.reconcile()
            assert reports["orders"].status == "succeeded"
            assert reports["orders"].writes == 0
            assert reports["orders"].plan is not None and reports["orders"].plan.items == []
