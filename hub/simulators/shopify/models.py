"""The simulated store's records, shaped after the Admin GraphQL types they serve.

Attribute names are the snake_case of the schema's field names (``displayFulfillmentStatus``
→ ``display_fulfillment_status``), so the executor's default resolver needs no table for
plain fields; only fields that take arguments have resolvers (see ``resolvers.py``).
Every record that is a ``Node`` keeps its numeric id and derives its GID from it.
Order-side records are in ``orders.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

__all__ = [
    "QUANTITY_NAMES",
    "Counters",
    "InventoryAdjustmentGroup",
    "InventoryChange",
    "InventoryItem",
    "InventoryLevel",
    "Location",
    "Node",
    "Product",
    "Variant",
    "gid",
    "parse_gid",
]

#: Inventory states Shopify names; ``on_hand`` is the sum of the others except ``incoming``.
QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: str | int, kind: str) -> int | None:
    """The numeric id of ``gid://shopify/<kind>/<n>`` (query string ignored), or None."""
    if isinstance(value, int):
        return value
    prefix = f"gid://shopify/{kind}/"
    if not value.startswith(prefix):
        return None
    number = value[len(prefix) :].split("?", 1)[0]
    return int(number) if number.isdigit() else None


@dataclass(eq=False)
class Node:
    typename: ClassVar[str] = "Node"
    legacy_id: int

    @property
    def id(self) -> str:
        return gid(self.typename, self.legacy_id)

    @property
    def legacy_resource_id(self) -> str:
        return str(self.legacy_id)  # UnsignedInt64 travels as a string


@dataclass(eq=False)
class Location(Node):
    typename: ClassVar[str] = "Location"
    name: str = ""
    is_active: bool = True


@dataclass(eq=False)
class Product(Node):
    typename: ClassVar[str] = "Product"
    title: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    variants: list[Variant] = field(default_factory=list)


@dataclass(eq=False)
class Variant(Node):
    typename: ClassVar[str] = "ProductVariant"
    product: Product | None = None
    sku: str = ""
    title: str = "Default Title"
    price: Decimal = Decimal("0.00")
    created_at: datetime | None = None
    updated_at: datetime | None = None
    inventory_item: InventoryItem | None = None

    @property
    def display_name(self) -> str:
        return f"{self.product.title} - {self.title}" if self.product else self.title


@dataclass(eq=False)
class InventoryItem(Node):
    typename: ClassVar[str] = "InventoryItem"
    variant: Variant | None = None
    tracked: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None
    levels: dict[int, InventoryLevel] = field(default_factory=dict)  # by location id

    @property
    def sku(self) -> str | None:
        return self.variant.sku if self.variant else None


@dataclass(eq=False)
class InventoryLevel(Node):
    typename: ClassVar[str] = "InventoryLevel"
    item: InventoryItem | None = None
    location: Location | None = None
    quantities: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QUANTITY_NAMES, 0))
    created_at: datetime | None = None
    updated_at: datetime | None = None
    can_deactivate: bool = True

    @property
    def id(self) -> str:
        # Shopify's level GIDs carry the item: gid://shopify/InventoryLevel/1?inventory_item_id=2
        item = self.item.legacy_id if self.item else 0
        return f"{gid(self.typename, self.legacy_id)}?inventory_item_id={item}"


@dataclass
class InventoryChange:
    name: str
    delta: int
    quantity_after_change: int
    item: InventoryItem
    location: Location
    ledger_document_uri: str | None = None


@dataclass(eq=False)
class InventoryAdjustmentGroup(Node):
    typename: ClassVar[str] = "InventoryAdjustmentGroup"
    reason: str = ""
    reference_document_uri: str | None = None
    created_at: datetime | None = None
    changes: list[InventoryChange] = field(default_factory=list)


@dataclass
class Counters:
    """What the tests and the benchmark read: how the connector used the API."""

    requests: int = 0
    throttled: int = 0
    max_cost_exceeded: int = 0
    points_requested: int = 0
    points_spent: int = 0  # actual cost charged, after refunds
    mutations_applied: int = 0
    api_versions: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        """Zero in place, so whoever holds this object sees the reset."""
        self.__dict__.update(Counters().__dict__)
