"""The test-control API under ``/_simulator``: the platform side of the store, over HTTP.

What a merchant, a customer or Shopify itself would do — seed the catalog, place, cancel
and refund orders, sell stock at the till — plus reading the state back and configuring
the simulator (token, bucket, webhooks). Not part of Shopify's API; the Python API on
:class:`~hub.simulators.shopify.store.ShopifyStore` does the same in-process.
Records read back in the REST webhook shape (``payloads.py``), the shape tests know.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.simulators.shopify import payloads
from hub.simulators.shopify.faults import FaultSettings

if TYPE_CHECKING:
    from hub.simulators.shopify.app import ShopifySimulator

__all__ = ["control_router"]

Ref = str | int  # a location or order by numeric id, GID or name


class VariantIn(BaseModel):
    sku: str
    title: str = "Default Title"
    price: Decimal = Decimal("0.00")
    tracked: bool = True
    inventory: dict[str, int] = Field(default_factory=dict, description="available quantity by location")


class ProductIn(BaseModel):
    title: str
    variants: list[VariantIn]


class LocationIn(BaseModel):
    name: str
    active: bool = True


class SeedIn(BaseModel):
    locations: list[LocationIn | str] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)


class DiscountIn(BaseModel):
    """A discount on the whole order, or on one line item: a code, or a manual one with a title."""

    amount: Decimal = Field(gt=0)
    code: str | None = None
    title: str | None = None


class OrderLineIn(BaseModel):
    sku: str
    quantity: int = Field(gt=0)
    price: Decimal | None = None
    location: Ref | None = None
    #: A line-level discount (a code entitled to this line, or one staff gave it).
    discount: DiscountIn | None = None


class CustomerIn(BaseModel):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ShippingLineIn(BaseModel):
    title: str = "Shipping"
    price: Decimal = Field(ge=0)


class OrderIn(BaseModel):
    line_items: list[OrderLineIn] = Field(min_length=1)
    shipping_lines: list[ShippingLineIn] = Field(default_factory=list)
    discounts: list[DiscountIn] = Field(default_factory=list)
    location: Ref | None = None
    customer: CustomerIn | None = None
    email: str | None = None
    financial_status: str = "PAID"
    note: str | None = None


class CancelIn(BaseModel):
    reason: str = "CUSTOMER"
    restock: bool = True
    refund: bool = True


class RefundLineIn(BaseModel):
    sku: str | None = None
    line_item_id: Ref | None = None
    quantity: int = Field(gt=0)
    restock_type: str = "RETURN"
    location: Ref | None = None


class RefundIn(BaseModel):
    line_items: list[RefundLineIn] = Field(min_length=1)
    location: Ref | None = None
    note: str | None = None


class InventoryIn(BaseModel):
    sku: str
    location: Ref
    delta: int | None = None
    available: int | None = None


class ConfigIn(BaseModel):
    access_token: str | None = None
    bucket_size: float | None = Field(default=None, gt=0)
    restore_rate: float | None = Field(default=None, gt=0)
    plan: str | None = Field(default=None, description="standard | advanced | plus | enterprise")
    max_query_cost: float | None = Field(default=None, gt=0)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_topics: list[str] | None = None
    webhook_duplicate: bool | None = None
    webhook_bad_signature: bool | None = None
    webhook_retry_delays: list[float] | None = None
    faults: FaultSettings | None = Field(default=None, description="the seeded fault plan; {} turns it off")


class WebhookIdIn(BaseModel):
    webhook_id: str


def _location(record: Any) -> dict[str, Any]:
    return {"id": record.legacy_id, "admin_graphql_api_id": record.id, "name": record.name, "active": record.is_active}


def control_router(sim: ShopifySimulator) -> APIRouter:
    router = APIRouter(prefix="/_simulator", tags=["simulator"])
    store = sim.store

    @router.get("/state")
    async def state() -> dict[str, Any]:
        return {
            "shop": {"name": store.shop_name, "domain": store.domain, "currency": store.currency},
            "locations": [_location(loc) for loc in store.locations.values()],
            "variants": [
                {
                    "id": v.legacy_id,
                    "admin_graphql_api_id": v.id,
                    "sku": v.sku,
                    "inventory_item_id": v.inventory_item.legacy_id if v.inventory_item else None,
                }
                for v in store.variants.values()
            ],
            "inventory": store.inventory(),
            "orders": [payloads.order(o) for o in store.orders.values()],
            "counters": sim.counters_json(),
            "config": sim.config_json(),
        }

    @router.post("/reset")
    async def reset() -> dict[str, Any]:
        sim.reset()
        return {"ok": True}

    @router.post("/seed")
    async def seed(body: SeedIn) -> dict[str, Any]:
        store.seed(body.model_dump(mode="python"))
        return {"locations": [_location(loc) for loc in store.locations.values()], "inventory": store.inventory()}

    @router.post("/locations", status_code=201)
    async def add_location(body: LocationIn) -> dict[str, Any]:
        return _location(store.add_location(body.name, active=body.active))

    @router.post("/products", status_code=201)
    async def add_product(body: ProductIn) -> dict[str, Any]:
        product = store.add_product(body.title, [v.model_dump() for v in body.variants])
        return {
            "id": product.legacy_id,
            "admin_graphql_api_id": product.id,
            "title": product.title,
            "variants": [
                {
                    "id": v.legacy_id,
                    "admin_graphql_api_id": v.id,
                    "sku": v.sku,
                    "inventory_item_id": v.inventory_item.legacy_id if v.inventory_item else None,
                }
                for v in product.variants
            ],
        }

    @router.get("/inventory")
    async def inventory(sku: str | None = None, location: str | None = None) -> list[dict[str, Any]]:
        place = store.location(location).name if location is not None else None
        return [
            row
            for row in store.inventory()
            if (sku is None or row["sku"] == sku) and (place is None or row["location"] == place)
        ]

    @router.post("/inventory")
    async def adjust(body: InventoryIn) -> dict[str, Any]:
        level = store.adjust_inventory(body.sku, body.location, delta=body.delta, available=body.available)
        return {"sku": body.sku, "location": level.location.name if level.location else None, **level.quantities}

    @router.post("/orders", status_code=201)
    async def create_order(body: OrderIn) -> dict[str, Any]:
        order = store.create_order(
            [line.model_dump() for line in body.line_items],
            location=body.location,
            customer=body.customer.model_dump() if body.customer else None,
            email=body.email,
            financial_status=body.financial_status,
            note=body.note,
            shipping_lines=[line.model_dump() for line in body.shipping_lines],
            discounts=[discount.model_dump() for discount in body.discounts],
        )
        return payloads.order(order)

    @router.get("/orders")
    async def orders() -> list[dict[str, Any]]:
        return [payloads.order(o) for o in store.orders.values()]

    @router.get("/orders/{ref}")
    async def order(ref: str) -> dict[str, Any]:
        return payloads.order(store.order(ref))

    @router.post("/orders/{ref}/cancel")
    async def cancel(ref: str, body: CancelIn) -> dict[str, Any]:
        return payloads.order(store.cancel_order(ref, reason=body.reason, restock=body.restock, refund=body.refund))

    @router.post("/orders/{ref}/refunds", status_code=201)
    async def refund(ref: str, body: RefundIn) -> dict[str, Any]:
        lines = [line.model_dump() for line in body.line_items]
        return payloads.refund(store.refund_order(ref, lines, location=body.location, note=body.note))

    @router.get("/fulfillments")
    async def fulfillments() -> list[dict[str, Any]]:
        return [payloads.fulfillment(f) for o in store.orders.values() for f in o.fulfillments]

    @router.get("/config")
    async def config() -> dict[str, Any]:
        return sim.config_json()

    @router.patch("/config")
    async def configure(body: ConfigIn) -> dict[str, Any]:
        settings = body.model_dump(exclude_unset=True)
        if body.faults is not None:
            settings["faults"] = body.faults  # the model itself, not its dump
        sim.configure(**settings)
        return sim.config_json()

    @router.get("/faults")
    async def faults() -> dict[str, Any]:
        """The fault plan and what it has injected so far, by kind."""
        return sim.faults.as_json()

    @router.get("/counters")
    async def counters() -> dict[str, Any]:
        return sim.counters_json()

    @router.post("/counters/reset")
    async def reset_counters() -> dict[str, Any]:
        store.reset_counters()
        return sim.counters_json()

    @router.get("/webhooks")
    async def webhooks() -> list[dict[str, Any]]:
        return [
            {
                "webhook_id": d.webhook_id,
                "topic": d.topic,
                "triggered_at": d.triggered_at,
                "delivered": d.delivered,
                "dropped": d.dropped,
                "attempts": [{"status": s, "error": e} for s, e in d.attempts],
                "payload": d.payload,
            }
            for d in sim.webhooks.deliveries
        ]

    @router.post("/webhooks/redeliver")
    async def redeliver(body: WebhookIdIn) -> dict[str, Any]:
        sim.webhooks.redeliver(body.webhook_id)
        return {"webhook_id": body.webhook_id}

    @router.post("/webhooks/hold")
    async def hold() -> dict[str, Any]:
        sim.webhooks.hold()
        return {"held": True}

    @router.post("/webhooks/release")
    async def release(reverse: bool = False) -> dict[str, Any]:
        sim.webhooks.release(reverse=reverse)
        return {"held": False}

    @router.post("/webhooks/drain")
    async def drain() -> dict[str, Any]:
        await sim.webhooks.drain()
        return {"drained": True}

    return router
