"""The simulated Shopify store the demo business sells through, and its connector instance.

The store sells the demo's products from one location, fed by the main warehouse; it
starts with no stock — the hub pushes what the channel may sell. Customers then place
:data:`ORDERS` in it (through the simulator's Python API, as a shopper would at the
checkout), and its webhooks carry them to the hub.

The store lives in memory for one ``hub demo``; the hub's database outlives it. So a
second run replaces the ``demo-shop`` instance (its bindings go with it) and numbers
the new store's records past every order an earlier store sent, so that its orders can
never be taken for ones the hub already has.
"""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal

from sqlalchemy import select

from hub.bootstrap import Hub
from hub.connectors.service import ConnectorSpec
from hub.core.errors import NotFound
from hub.db import tables as t
from hub.demo import business as b
from hub.simulators.shopify import ShopifySimulator

__all__ = ["ACCESS_TOKEN", "ALLOCATION", "CONNECTOR_ID", "LOCATION", "ORDERS", "WAREHOUSE", "connect", "open_store"]

CONNECTOR_ID = "demo-shop"
LOCATION = "Shanghai warehouse"
#: The hub warehouse the store's location sells from.
WAREHOUSE = b.SH
ACCESS_TOKEN = "shpat_demo"
WEBHOOK_SECRET = "shpss_demo"
#: The store may sell 80 % of what the warehouse has available, keeping 1 unit back.
ALLOCATION = {"percent": Decimal(80), "buffer": Decimal(1)}
#: What shoppers buy once the stock is in the store: (customer email, [(sku, quantity)]).
ORDERS = (
    ("mei@example.com", [("TEA-PUER-357", 2), ("CUP-CEL-120", 6)]),
    ("tom@example.com", [("GAIWAN-150", 1)]),
)


def open_store(webhook_url: str, after_id: int = 0) -> ShopifySimulator:
    """The store, seeded with the demo's active products at :data:`LOCATION`, stock 0,
    its webhooks pointed at the hub; its ids start past ``after_id``."""
    sim = ShopifySimulator(
        access_token=ACCESS_TOKEN,
        shop_name="Tea & Teaware (simulated Shopify store)",
        domain="tea-and-teaware.myshopify.com",
        currency="USD",
        webhook_url=webhook_url,
        webhook_secret=WEBHOOK_SECRET,
    )
    while sim.store.next_id() <= after_id:  # skip what an earlier store numbered
        continue
    sim.store.seed(
        {
            "locations": [LOCATION],
            "products": [
                {
                    "title": product.name,
                    "variants": [
                        {"sku": product.sku, "price": str(product.list_price or 0), "inventory": {LOCATION: 0}}
                    ],
                }
                for product in b.PRODUCTS
                if product.active
            ],
        }
    )
    return sim


async def last_order_id(hub: Hub) -> int:
    """The highest Shopify order id an earlier demo store sent to this hub (0 if none)."""
    so = t.sales_orders.c
    async with hub.uow.reader() as uow:
        rows = await uow.session.execute(select(so.external_id).where(so.channel == CONNECTOR_ID))
        ids = [int(m.group(1)) for (external,) in rows if (m := re.search(r"(\d+)$", external or ""))]
    return max(ids, default=0)


async def connect(hub: Hub, sim: ShopifySimulator, shop_url: str) -> None:
    """(Re)register ``demo-shop`` against this run's store, as ``POST /v1/connectors`` would."""
    location = next(iter(sim.store.locations.values()))
    with contextlib.suppress(NotFound):
        await hub.connectors.remove(CONNECTOR_ID)
    await hub.connectors.add(
        ConnectorSpec(
            id=CONNECTOR_ID,
            type="shopify",
            config={"shop_url": shop_url, "access_token": ACCESS_TOKEN, "webhook_secret": WEBHOOK_SECRET},
            mappings={
                "locations": {location.id: WAREHOUSE},
                "allocation": {key: str(value) for key, value in ALLOCATION.items()},
            },
        )
    )
