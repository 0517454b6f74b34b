"""Stock out: each mapped location's ``available`` set to the channel's available-to-sell.

Desired: the channel allocation over the hub's available stock, split across the
mapped locations (``hub.core.channels``); an inactive or unknown product offers 0.
Written with ``inventorySetQuantities``, up to 250 quantities a call, each with
``compareQuantity`` — what the hub believes Shopify holds: what it last wrote there, or
for a SKU × location it has not written yet, what a read of the store found — so a
change made on the platform meanwhile (a sale, an edit in the admin) is detected: the
batch is refused whole, the levels are read again and the write is retried with the
fresh values.
Bindings remember per SKU × location what was last written: an unchanged desired
quantity is not written again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from typing import Any

from hub.connectors.sdk.errors import FatalAPIError
from hub.connectors.sdk.pagination import Page, paginate
from hub.connectors.sdk.ports import ChannelReads, ConnectorUnitOfWorks
from hub.connectors.sdk.writers import LevelWriter, Target, VendorItem
from hub.connectors.shopify.client import ShopifyClient
from hub.connectors.shopify.config import ShopifyMappings
from hub.connectors.shopify.queries import INVENTORY_SET, VARIANTS
from hub.mappings.shopify import inventory_set_input

__all__ = ["StockOut", "Target", "Variant"]

VARIANTS_PER_PAGE = 40
#: Shopify's words for a variant and for one of its inventory levels, in bindings.
VARIANT, LEVEL = "variant", "inventory_level"
#: A variant, as the SDK's writer sees it.
Variant = VendorItem


def _variant(node: dict[str, Any]) -> Variant | None:
    item = node.get("inventoryItem") or {}
    sku = (node.get("sku") or "").strip()
    if not sku or not item.get("id"):
        return None
    levels: dict[str, int] = {}
    for level in (item.get("inventoryLevels") or {}).get("nodes") or []:
        quantities = {q["name"]: q["quantity"] for q in level.get("quantities") or []}
        levels[level["location"]["id"]] = int(quantities.get("available", 0))
    return Variant(id=node["id"], sku=sku, item=item["id"], levels=levels)


def _quote(sku: str) -> str:
    # Shopify search: quote values with spaces or special characters.
    return f'"{sku}"' if any(c in sku for c in ' :"()') else sku


class StockOut(LevelWriter):
    """Stock levels as ``inventorySetQuantities`` with compare quantities, variants read
    by search 40 SKUs at a time; the rest is the SDK's level writer."""

    item_record, level_record = VARIANT, LEVEL
    write_batch = 250

    def __init__(
        self,
        connector_id: str,
        mappings: ShopifyMappings,
        client: ShopifyClient,
        uows: ConnectorUnitOfWorks,
        reads: ChannelReads | None = None,
    ) -> None:
        super().__init__(connector_id, mappings, uows, reads)
        self.client = client

    async def read(self, skus: Collection[str] | None) -> AsyncIterator[VendorItem]:
        if skus is None:
            async for variant in self._variants(None, None):
                yield variant
            return
        wanted = sorted(set(skus))
        for start in range(0, len(wanted), VARIANTS_PER_PAGE):
            chunk = wanted[start : start + VARIANTS_PER_PAGE]
            async for variant in self._variants(" OR ".join(f"sku:{_quote(sku)}" for sku in chunk), set(chunk)):
                yield variant

    async def _variants(self, query: str | None, only: set[str] | None) -> AsyncIterator[Variant]:
        async def fetch(token: str | None) -> Page[dict[str, Any]]:
            variables = {"first": VARIANTS_PER_PAGE, "after": token, "query": query, "levels": self._levels_per_item()}
            connection = (await self.client.execute(VARIANTS, variables))["productVariants"]
            info = connection["pageInfo"]
            return Page(connection["nodes"], info["endCursor"] if info["hasNextPage"] else None)

        seen: set[str] = set()
        async for node in paginate(fetch):
            variant = _variant(node)
            # Search matches loosely (prefixes, tokens): keep exact SKUs only, once each.
            if variant is not None and (only is None or variant.sku in only) and variant.sku not in seen:
                seen.add(variant.sku)
                yield variant

    async def variants(self, skus: Collection[str] | None = None) -> dict[str, Variant]:
        """The store's variants by SKU (all, or those of ``skus``), with their levels."""
        return {variant.sku: variant async for variant in self.read(skus)}

    def _levels_per_item(self) -> int:
        return max(1, min(10, len(self.mappings.locations)))

    async def write(self, batch: list[Target], compare: Mapping[str, int | None]) -> list[Target]:
        changes = [(t.item, t.location, t.quantity, compare.get(t.key)) for t in batch]
        data = await self.client.execute(
            INVENTORY_SET, {"input": inventory_set_input(changes, reference=f"gid://jxc-hub/Channel/{self.id}")}
        )
        errors = data["inventorySetQuantities"]["userErrors"]
        if any(error.get("code") == "COMPARE_QUANTITY_STALE" for error in errors):
            return batch  # the mutation is all or nothing: the whole batch is written again
        if errors:
            raise FatalAPIError("Shopify refused the stock update: " + "; ".join(e["message"] for e in errors))
        return []
