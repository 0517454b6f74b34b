"""The Shopify connector: stock out, orders in, shipments out, over Admin GraphQL.

    stock.level_changed / product.upserted ──▶ queue "stock" (SKU) ──▶ inventorySetQuantities
    webhook orders/*, refunds/create, poll ──▶ queue "order" (GID) ──▶ read order ──▶ sales order
    shipment.created (of this store's order) ─▶ queue "fulfillment" ──▶ fulfillmentCreate

Reconciliations: ``orders`` (the poll, every ``poll_interval_seconds``) and ``stock``
(every location against the channel's available-to-sell, hourly by default).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from hub.connectors.sdk.base import Capability, Connector, ConnectorEnv, Work
from hub.connectors.sdk.errors import WebhookRejected
from hub.connectors.sdk.pagination import Page, paginate
from hub.connectors.sdk.ports import ConnectorUnitOfWork
from hub.connectors.sdk.ratelimit import CostBucket
from hub.connectors.sdk.webhooks import WebhookDelivery, verify_hmac_base64
from hub.connectors.shopify import queries
from hub.connectors.shopify.client import ShopifyClient
from hub.connectors.shopify.config import ShopifyConfig, ShopifyMappings
from hub.connectors.shopify.fulfillments import FulfillmentsOut
from hub.connectors.shopify.orders import OrdersIn
from hub.connectors.shopify.stock import StockOut
from hub.core import handlers
from hub.core.commands import NewCustomer
from hub.core.events import DomainEvent, ProductUpserted, ShipmentCreated, StockLevelChanged
from hub.mappings.shopify import order_gid_from_webhook
from hub.sync.plan import Reconciler

__all__ = ["ShopifyConnector"]

#: Webhook topics that concern an order.
ORDER_TOPICS = frozenset({"orders/create", "orders/updated", "orders/cancelled", "orders/paid", "refunds/create"})


class ShopifyConnector(Connector[ShopifyConfig, ShopifyMappings]):
    type_name: ClassVar[str] = "shopify"
    title: ClassVar[str] = "Shopify"
    config_model = ShopifyConfig
    mappings_model = ShopifyMappings
    capabilities = frozenset({Capability.STOCK_OUT, Capability.ORDERS_IN, Capability.SHIPMENTS_OUT})
    listens_to = frozenset({StockLevelChanged.type, ProductUpserted.type, ShipmentCreated.type})

    def __init__(self, id: str, config: ShopifyConfig, mappings: ShopifyMappings, env: ConnectorEnv) -> None:
        super().__init__(id, config, mappings, env)
        # One bucket per store, shared by every connector object of the instance.
        bucket = env.shared.setdefault(f"shopify:{id}:bucket", CostBucket(clock=env.clock, sleep=env.sleep))
        self.client = ShopifyClient(config, bucket, transport=env.transport, sleep=env.sleep)
        self.customer = mappings.customer or id
        self.stock = StockOut(id, mappings, self.client, env.uows, env.reads)
        self.orders = OrdersIn(id, mappings, self.client, env.uows, customer=self.customer, currency=env.currency)
        self.fulfillments = FulfillmentsOut(id, self.client, env.uows)

    # -- events → work ----------------------------------------------------------------------

    @classmethod
    async def triggered(
        cls, event: DomainEvent, connector_id: str, mappings: Mapping[str, Any], uow: ConnectorUnitOfWork
    ) -> dict[str, list[str]]:
        if isinstance(event, StockLevelChanged):
            warehouses = set((mappings.get("locations") or {}).values())
            return {"stock": [event.sku]} if event.warehouse in warehouses else {}
        if isinstance(event, ProductUpserted):
            return {"stock": [event.sku]}
        if isinstance(event, ShipmentCreated):
            order = await uow.sales_orders.get(event.sales_order_id)
            if order is not None and order.channel == connector_id:
                return {"fulfillment": [str(event.shipment_id)]}
        return {}

    def work(self) -> dict[str, Work]:
        # Orders first: a sale the store made is in the hub before its stock is pushed.
        return {
            "order": Work(batch=10, handle=self.orders.pull),
            "fulfillment": Work(batch=10, handle=self.fulfillments.push),
            "stock": Work(batch=250, handle=self.stock.push, linger=0.2, room=self._room),
        }

    def _room(self) -> bool:
        # Room for a few full stock mutations (about 11 points each) without waiting.
        return self.client.bucket.available >= 0.1 * self.client.bucket.capacity

    def reconcilers(self) -> dict[str, Reconciler]:
        return {"orders": self.orders.reconciler(), "stock": self.stock.reconciler()}

    def schedule(self) -> dict[str, float]:
        return {
            "orders": float(self.config.poll_interval_seconds),
            "stock": float(self.config.stock_reconcile_interval_seconds),
        }

    # -- lifecycle ------------------------------------------------------------------------------

    async def check(self) -> None:
        await self.client.execute(queries.SHOP)

    async def discover(self) -> dict[str, Any]:
        shop = (await self.client.execute(queries.SHOP))["shop"]
        return {"shop": shop, "locations": [location async for location in self._locations()]}

    def _locations(self) -> AsyncIterator[dict[str, Any]]:
        async def fetch(after: str | None) -> Page[dict[str, Any]]:
            data = (await self.client.execute(queries.LOCATIONS, {"first": 100, "after": after}))["locations"]
            info = data["pageInfo"]
            nodes = [{"id": node["id"], "name": node["name"], "active": node["isActive"]} for node in data["nodes"]]
            return Page(nodes, info["endCursor"] if info["hasNextPage"] else None)

        return paginate(fetch)

    async def validate_mappings(self) -> list[str]:
        problems = []
        async with self.env.uows.reader() as uow:
            for location, code in sorted(self.mappings.locations.items()):
                if await uow.warehouses.get(code) is None:
                    problems.append(f"location {location} maps to unknown warehouse {code!r}")
            if self.mappings.customer and await uow.customers.get(self.mappings.customer) is None:
                problems.append(f"unknown customer {self.mappings.customer!r}")
        if problems:
            return problems  # the store need not be asked
        known = {location["id"] async for location in self._locations()}
        return [
            f"location {location} is not an active location of the store"
            for location in sorted(self.mappings.locations)
            if location not in known
        ]

    async def prepare(self, uow: ConnectorUnitOfWork) -> None:
        if self.mappings.customer is None and await uow.customers.get(self.id) is None:
            await handlers.create_customer(NewCustomer(code=self.id, name=f"Shopify store {self.id}"), uow)
        await self.orders.start(uow)

    # -- webhooks -------------------------------------------------------------------------------

    def webhook_verify(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        verify_hmac_base64(
            self.config.webhook_secret.get_secret_value(),
            body,
            headers.get("x-shopify-hmac-sha256"),
            "X-Shopify-Hmac-SHA256",
        )
        webhook_id = headers.get("x-shopify-webhook-id")
        topic = headers.get("x-shopify-topic")
        if not webhook_id or not topic:
            raise WebhookRejected("missing X-Shopify-Webhook-Id or X-Shopify-Topic")
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise WebhookRejected("the body is not JSON") from error
        return WebhookDelivery(id=webhook_id, topic=topic, payload=payload, headers=headers)

    async def webhook_handle(self, delivery: WebhookDelivery) -> None:
        async with self.env.uows() as uow:
            if not await uow.webhook_receipts.first_time(self.id, delivery.id, delivery.topic):
                return  # a redelivery: taken in already
            if delivery.topic in ORDER_TOPICS and isinstance(delivery.payload, dict):
                gid = order_gid_from_webhook(delivery.topic, delivery.payload)
                if gid is not None:
                    await uow.work.enqueue(self.id, "order", [gid])
            await uow.commit()

    async def aclose(self) -> None:
        await self.client.aclose()
