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

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hub.connectors.sdk.channels import offer
from hub.connectors.sdk.errors import FatalAPIError
from hub.connectors.sdk.pagination import Page, paginate
from hub.connectors.sdk.ports import ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.connectors.shopify.client import ShopifyClient
from hub.connectors.shopify.config import ShopifyMappings
from hub.connectors.shopify.queries import INVENTORY_SET, VARIANTS
from hub.mappings.shopify import inventory_set_input
from hub.sync.plan import Action, ApplyResult, Plan, PlanItem, Progress

__all__ = ["StockOut", "StockReconciler", "Target"]

log = logging.getLogger("hub.shopify")

VARIANT, LEVEL = "variant", "inventory_level"
PER_MUTATION = 250
VARIANTS_PER_PAGE = 40


@dataclass(frozen=True)
class Target:
    """One SKU at one location: where to write and what."""

    sku: str
    location: str
    item: str
    quantity: int

    @property
    def key(self) -> str:
        return f"{self.sku}@{self.location}"


@dataclass(frozen=True)
class Variant:
    id: str
    sku: str
    item: str
    #: location → available, as the store reported it.
    levels: dict[str, int]


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


class StockOut:
    """Shared by the queued pushes (a few SKUs, levels from bindings) and the full
    reconciliation (every SKU, levels read from the store)."""

    def __init__(self, connector_id: str, mappings: ShopifyMappings, client: ShopifyClient, uows: ConnectorUnitOfWorks):
        self.id, self.mappings, self.client, self.uows = connector_id, mappings, client, uows
        self.channel = mappings.channel()

    # -- desired ----------------------------------------------------------------------------

    async def desired(self, skus: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """sku → location → quantity to offer (0 for an inactive product); SKUs the hub
        does not know are left out. ``skus`` None: every SKU stocked in the channel's
        warehouses."""
        async with self.uows.reader() as uow:
            if skus is None:
                levels = await uow.stock.for_warehouses(self.channel.warehouses)
                wanted = sorted(levels)
            else:
                wanted = sorted(set(skus))
                levels = await uow.stock.for_skus(wanted)
            products = await uow.products.get_many(wanted)
        result: dict[str, dict[str, int]] = {}
        for sku in wanted:
            product = products.get(sku)
            if product is None:
                continue
            available = tuple(sorted((level.warehouse, level.available) for level in levels.get(sku, [])))
            _, split = offer(self.channel, sku, product.active, available)
            result[sku] = self.mappings.per_location(dict(split))
        return result

    # -- reading the store --------------------------------------------------------------------

    async def variants(self, skus: Iterable[str] | None = None) -> dict[str, Variant]:
        """The store's variants by SKU (all, or those of ``skus``), with their levels."""
        if skus is None:
            return await self._variants(None, None)
        found: dict[str, Variant] = {}
        wanted = sorted(set(skus))
        for chunk in _chunks(wanted, VARIANTS_PER_PAGE):
            query = " OR ".join(f"sku:{_quote(sku)}" for sku in chunk)
            found.update(await self._variants(query, set(chunk)))
        return found

    async def _variants(self, query: str | None, only: set[str] | None) -> dict[str, Variant]:
        async def fetch(token: str | None) -> Page[dict[str, Any]]:
            variables = {"first": VARIANTS_PER_PAGE, "after": token, "query": query, "levels": self._levels_per_item()}
            connection = (await self.client.execute(VARIANTS, variables))["productVariants"]
            info = connection["pageInfo"]
            return Page(connection["nodes"], info["endCursor"] if info["hasNextPage"] else None)

        found: dict[str, Variant] = {}
        async for node in paginate(fetch):
            variant = _variant(node)
            # Search matches loosely (prefixes, tokens): keep exact SKUs only.
            if variant is not None and (only is None or variant.sku in only):
                found.setdefault(variant.sku, variant)
        return found

    def _levels_per_item(self) -> int:
        return max(1, min(10, len(self.mappings.locations)))

    # -- writing ------------------------------------------------------------------------------

    async def write(self, targets: list[Target], compare: Mapping[str, int | None]) -> tuple[int, list[Target]]:
        """Set ``targets``; returns (mutations sent, targets refused as stale)."""
        sent, stale = 0, []
        for batch in _chunks(targets, PER_MUTATION):
            changes = [(t.item, t.location, t.quantity, compare.get(t.key)) for t in batch]
            data = await self.client.execute(
                INVENTORY_SET, {"input": inventory_set_input(changes, reference=f"gid://jxc-hub/Channel/{self.id}")}
            )
            sent += 1
            errors = data["inventorySetQuantities"]["userErrors"]
            if any(error.get("code") == "COMPARE_QUANTITY_STALE" for error in errors):
                stale.extend(batch)
            elif errors:
                raise FatalAPIError("Shopify refused the stock update: " + "; ".join(e["message"] for e in errors))
            else:
                await self._remember(batch)
        return sent, stale

    async def _remember(self, written: list[Target]) -> None:
        async with self.uows() as uow:
            await uow.bindings.remember(
                self.id, LEVEL, {t.key: (f"{t.item}@{t.location}", str(t.quantity)) for t in written}
            )
            await uow.commit()

    async def bind_variants(self, variants: dict[str, Variant]) -> None:
        async with self.uows() as uow:
            bindings = uow.bindings
            for variant in variants.values():
                known = await bindings.by_canonical(self.id, VARIANT, variant.sku)
                if known is None:
                    await bindings.add(Binding(self.id, VARIANT, variant.sku, variant.id, data={"item": variant.item}))
                elif known.external_id != variant.id or known.data.get("item") != variant.item:
                    known.external_id, known.data = variant.id, {"item": variant.item}
                    await bindings.save(known)
            await uow.commit()

    async def written(self, skus: Iterable[str] | None = None) -> dict[str, int]:
        """What the hub last wrote, by ``sku@location`` (for ``skus``, or all)."""
        async with self.uows.reader() as uow:
            bindings = uow.bindings
            if skus is None:
                found = await bindings.all(self.id, LEVEL)
            else:
                keys = [f"{sku}@{location}" for sku in skus for location in self.mappings.locations]
                found = list((await bindings.many(self.id, LEVEL, keys)).values())
        return {b.canonical_id: int(b.last_hash) for b in found if b.last_hash is not None}

    # -- the queued push ----------------------------------------------------------------------

    async def push(self, skus: list[str]) -> dict[str, str | None]:
        """Bring these SKUs' locations to their desired quantity (queue work)."""
        desired = await self.desired(skus)
        written = await self.written(desired)
        changed = {
            sku: per
            for sku, per in desired.items()
            if any(written.get(f"{sku}@{loc}") != quantity for loc, quantity in per.items())
        }
        result: dict[str, str | None] = dict.fromkeys(skus)
        if not changed:
            return result
        # Where the hub has written before, what it wrote is the compare value: no read,
        # so a push costs the mutation alone (a change on the platform since is caught by
        # compareQuantity, then re-read). New SKUs and locations are read from the store —
        # their levels are both the compare values and the check that they exist there.
        items = await self.bound_items(changed)
        targets: list[Target] = []
        compare: dict[str, int | None] = {}
        unread: list[str] = []
        for sku, per in changed.items():
            if sku not in items or any(f"{sku}@{loc}" not in written for loc in per):
                unread.append(sku)
                continue
            for location, quantity in per.items():
                target = Target(sku, location, items[sku], quantity)
                if written[target.key] != quantity:
                    targets.append(target)
                    compare[target.key] = written[target.key]
        if unread:
            variants = await self.variants(unread)  # one read per 40 SKUs
            await self.bind_variants(variants)
            for sku in unread:
                variant = variants.get(sku)
                if variant is None:
                    continue  # not sold in this store: nothing to write (the reconciliation reports it)
                for location, quantity in changed[sku].items():
                    if location not in variant.levels:
                        continue  # not stocked at that location in the store
                    target = Target(sku, location, variant.item, quantity)
                    if variant.levels[location] == quantity:
                        await self._remember([target])  # already right: remember, do not write
                        continue
                    targets.append(target)
                    compare[target.key] = variant.levels[location]
        await self._write_retrying_stale(targets, compare)
        return result

    async def bound_items(self, skus: Iterable[str]) -> dict[str, str]:
        """sku → inventory item, for the SKUs whose variant is bound."""
        async with self.uows.reader() as uow:
            bound = await uow.bindings.many(self.id, VARIANT, skus)
        return {sku: str(b.data["item"]) for sku, b in bound.items() if b.data.get("item")}

    async def _write_retrying_stale(self, targets: list[Target], compare: Mapping[str, int | None]) -> int:
        sent, stale = await self.write(targets, compare)
        if stale:
            # The platform moved under us: read again, write against what is there now.
            log.info("%s: %d stock levels changed on Shopify meanwhile; re-reading", self.id, len(stale))
            fresh = await self.variants({t.sku for t in stale})
            found = [t for t in stale if t.sku in fresh and t.location in fresh[t.sku].levels]
            await self._remember([t for t in found if fresh[t.sku].levels[t.location] == t.quantity])
            retry = [t for t in found if fresh[t.sku].levels[t.location] != t.quantity]
            fresh_compare: dict[str, int | None] = {t.key: fresh[t.sku].levels[t.location] for t in retry}
            more, still = await self.write(retry, fresh_compare)
            sent += more
            if still:
                raise FatalAPIError(f"stock of {len(still)} SKU×location changed on Shopify twice during the write")
        return sent


class StockReconciler:
    """Full stock reconciliation: every SKU the store sells vs the hub's desired quantity."""

    entity = "stock"

    def __init__(self, stock: StockOut) -> None:
        self.stock = stock

    async def plan(self, progress: Progress) -> Plan:
        progress("reading store", 0, None)
        variants = await self.stock.variants()
        await self.stock.bind_variants(variants)
        desired = await self.stock.desired(None)
        desired.update(await self.stock.desired(set(variants) - set(desired)))
        plan = Plan(self.entity)
        for sku in sorted(set(variants) - set(desired)):
            plan.items.append(PlanItem(sku, Action.CONFLICT, reason="the store sells a SKU the hub does not know"))
        for sku in sorted(desired):
            variant = variants.get(sku)
            if variant is None:
                if any(desired[sku].values()):
                    plan.items.append(PlanItem(sku, Action.CONFLICT, reason="SKU not sold in this store"))
                continue
            for location, quantity in sorted(desired[sku].items()):
                key = f"{sku}@{location}"
                if location not in variant.levels:
                    # Not stocked there and nothing to offer: already as it should be.
                    action = Action.UNCHANGED if quantity == 0 else Action.CONFLICT
                    plan.items.append(PlanItem(key, action, quantity, None, "not stocked at this location"))
                    continue
                actual = variant.levels[location]
                action = Action.UNCHANGED if actual == quantity else Action.UPDATE
                target = Target(sku, location, variant.item, quantity)
                plan.items.append(PlanItem(key, action, quantity, actual, context=target))
            progress("planning", len(plan.items), None)
        return plan

    async def apply(self, items: list[PlanItem], progress: Progress) -> ApplyResult:
        targets = [item.context for item in items if isinstance(item.context, Target)]
        compare: dict[str, int | None] = {item.key: item.actual for item in items}
        progress("writing", 0, len(targets))
        sent = await self.stock._write_retrying_stale(targets, compare)
        progress("writing", len(targets), len(targets))
        return ApplyResult(writes=sent)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or []


def _quote(sku: str) -> str:
    # Shopify search: quote values with spaces or special characters.
    return f'"{sku}"' if any(c in sku for c in ' :"()') else sku
