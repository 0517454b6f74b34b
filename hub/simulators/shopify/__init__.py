"""A Shopify store simulator speaking the Admin GraphQL API, for tests, demos and benchmarks.

It executes queries against Shopify's own 2025-01 schema over an in-memory store,
charges Shopify's calculated query cost to a leaky bucket (``THROTTLED`` when empty),
and sends signed webhooks — so the Shopify connector runs end to end without the
internet. Layout, bottom up:

    clock      injectable time            models / orders   records named after the schema
    catalog    locations, variants, stock store      orders, refunds, fulfillment (Python API)
    search     Shopify search syntax      connections  cursor pagination
    schema     the vendor schema, cached  resolvers / nodes / mutations   GraphQL fields
    cost       query cost                 throttle   the leaky bucket
    execute    one request                payloads / webhooks     signed deliveries
    control    /_simulator test API       app        ShopifySimulator (ASGI)
    server     uvicorn on a free port
"""

from hub.simulators.shopify.app import INVALID_TOKEN, ShopifySimulator
from hub.simulators.shopify.catalog import StoreError
from hub.simulators.shopify.clock import ManualClock
from hub.simulators.shopify.server import SAMPLE_SEED, serve
from hub.simulators.shopify.store import ShopifyStore
from hub.simulators.shopify.throttle import PLANS, LeakyBucket
from hub.simulators.shopify.webhooks import Delivery, WebhookSender, sign

__all__ = [
    "INVALID_TOKEN",
    "PLANS",
    "SAMPLE_SEED",
    "Delivery",
    "LeakyBucket",
    "ManualClock",
    "ShopifySimulator",
    "ShopifyStore",
    "StoreError",
    "WebhookSender",
    "serve",
    "sign",
]
