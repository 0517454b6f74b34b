"""Catalog and inventory state: locations, products, variants and inventory levels.

The order side (``store.py``) builds on this. Inventory follows Shopify's quantity
states: ``on_hand = available + committed + reserved + damaged + safety_stock +
quality_control``, so every change names the states it moves between — an order commits
(available → committed), a fulfillment ships (committed and on_hand go down), a platform
correction adds to available and on_hand together.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.simulators.shopify.clock import Clock, system_clock, to_datetime
from hub.simulators.shopify.models import (
    Counters,
    InventoryItem,
    InventoryLevel,
    Location,
    Product,
    Variant,
    parse_gid,
)

__all__ = ["Catalog", "Listener", "StoreError"]

#: Called with a webhook topic and the record it concerns, at the moment of the change.
Listener = Callable[[str, Any], None]


class StoreError(LookupError):
    """A control-API or Python-API request named something the store does not have."""


class Catalog:
    def __init__(
        self,
        *,
        name: str = "jxc simulated store",
        domain: str = "jxc-sim.myshopify.com",
        currency: str = "USD",
        clock: Clock = system_clock,
    ) -> None:
        self.shop_name, self.domain, self.currency = name, domain, currency
        self.clock = clock
        self.listeners: list[Listener] = []
        self.counters = Counters()
        self._clear()

    def _clear(self) -> None:
        self._ids = itertools.count(1001)
        self.shop_id = self.next_id()
        self.locations: dict[int, Location] = {}
        self.products: dict[int, Product] = {}
        self.variants: dict[int, Variant] = {}
        self.items: dict[int, InventoryItem] = {}

    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> datetime:
        return to_datetime(self.clock())

    def emit(self, topic: str, record: Any) -> None:
        for listener in list(self.listeners):
            listener(topic, record)

    # -- catalog ---------------------------------------------------------------------

    def add_location(self, name: str, *, active: bool = True) -> Location:
        location = Location(self.next_id(), name=name, is_active=active)
        self.locations[location.legacy_id] = location
        return location

    def add_product(self, title: str, variants: Iterable[Mapping[str, Any]]) -> Product:
        """``variants``: ``{"sku", "title"?, "price"?, "tracked"?, "inventory"?: {location: qty}}``."""
        product = Product(self.next_id(), title=title, created_at=self.now(), updated_at=self.now())
        self.products[product.legacy_id] = product
        for spec in variants:
            self.add_variant(
                product,
                spec["sku"],
                title=spec.get("title", "Default Title"),
                price=spec.get("price", "0.00"),
                tracked=spec.get("tracked", True),
                inventory=spec.get("inventory"),
            )
        return product

    def add_variant(
        self,
        product: Product,
        sku: str,
        *,
        title: str = "Default Title",
        price: Any = "0.00",
        tracked: bool = True,
        inventory: Mapping[Any, int] | None = None,
    ) -> Variant:
        if any(v.sku == sku for v in self.variants.values()):
            raise ValueError(f"SKU {sku!r} exists already")
        variant = Variant(
            self.next_id(),
            product=product,
            sku=sku,
            title=title,
            price=Decimal(str(price)),
            created_at=self.now(),
            updated_at=self.now(),
        )
        item = InventoryItem(
            self.next_id(), variant=variant, tracked=tracked, created_at=self.now(), updated_at=self.now()
        )
        variant.inventory_item = item
        product.variants.append(variant)
        self.variants[variant.legacy_id] = variant
        self.items[item.legacy_id] = item
        for location, quantity in (inventory or {}).items():
            self.stock(item, self.location(location), available=quantity)
        return variant

    def seed(self, spec: Mapping[str, Any]) -> None:
        """``{"locations": [name | {"name", "active"?}], "products": [{"title", "variants": [...]}]}``."""
        for entry in spec.get("locations", []):
            entry = {"name": entry} if isinstance(entry, str) else entry
            self.add_location(entry["name"], active=entry.get("active", True))
        for product in spec.get("products", []):
            self.add_product(product["title"], product.get("variants", []))

    # -- lookups ---------------------------------------------------------------------

    def location(self, ref: Location | int | str) -> Location:
        """By record, numeric id, GID or name."""
        if isinstance(ref, Location):
            return ref
        number = parse_gid(ref, "Location") if not (isinstance(ref, str) and ref.isdigit()) else int(ref)
        if number in self.locations:
            return self.locations[number]
        for location in self.locations.values():
            if location.name == ref:
                return location
        raise StoreError(f"no location {ref!r}")

    def variant_by_sku(self, sku: str) -> Variant:
        for variant in self.variants.values():
            if variant.sku == sku:
                return variant
        raise StoreError(f"no variant with SKU {sku!r}")

    def level(self, sku: str, location: Location | int | str) -> InventoryLevel:
        item = self.variant_by_sku(sku).inventory_item
        place = self.location(location)
        if item is None or place.legacy_id not in item.levels:
            raise StoreError(f"SKU {sku!r} is not stocked at {place.name!r}")
        return item.levels[place.legacy_id]

    def available(self, sku: str, location: Location | int | str) -> int:
        return self.level(sku, location).quantities["available"]

    def inventory(self) -> list[dict[str, Any]]:
        """Every level, for the control API and for assertions."""
        return [
            {
                "sku": item.sku,
                "location": level.location.name if level.location else None,
                "location_id": level.location.legacy_id if level.location else None,
                **level.quantities,
            }
            for item in self.items.values()
            for level in item.levels.values()
        ]

    # -- inventory -------------------------------------------------------------------

    def stock(self, item: InventoryItem, location: Location, *, available: int = 0) -> InventoryLevel:
        """Activate ``item`` at ``location`` (idempotent) and set its available quantity."""
        level = item.levels.get(location.legacy_id)
        if level is None:
            level = InventoryLevel(
                self.next_id(), item=item, location=location, created_at=self.now(), updated_at=self.now()
            )
            item.levels[location.legacy_id] = level
        self.move(
            level,
            available=available - level.quantities["available"],
            on_hand=available - level.quantities["available"],
        )
        return level

    def level_for(self, item: InventoryItem, location: Location) -> InventoryLevel:
        """The level, stocking the item at the location on first use (orders may oversell)."""
        return item.levels.get(location.legacy_id) or self.stock(item, location)

    def move(self, level: InventoryLevel, **deltas: int) -> None:
        """Shift named quantity states by the given deltas; announce changes to available."""
        if not any(deltas.values()):
            return
        for name, delta in deltas.items():
            level.quantities[name] += delta
        level.updated_at = self.now()
        if level.item is not None:
            level.item.updated_at = level.updated_at
        if deltas.get("available"):
            self.emit("inventory_levels/update", level)

    def adjust_inventory(
        self, sku: str, location: Location | int | str, *, delta: int | None = None, available: int | None = None
    ) -> InventoryLevel:
        """A change made on the platform side (a POS sale, a stock count): sets or shifts available."""
        if (delta is None) == (available is None):
            raise ValueError("give exactly one of delta and available")
        item = self.variant_by_sku(sku).inventory_item
        assert item is not None
        level = self.level_for(item, self.location(location))
        change = delta if delta is not None else int(available or 0) - level.quantities["available"]
        self.move(level, available=change, on_hand=change)
        return level
