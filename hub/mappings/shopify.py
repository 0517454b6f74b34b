"""Shopify Admin GraphQL (2025-01) ↔ canonical: orders in, stock and fulfillments out.

Pure functions over the shapes the connector's documents (hub.connectors.shopify.queries)
return; no I/O, so every rule here is tested from vendor payloads alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hub.core.commands import ChargeIn, NewSalesOrder, SalesLine
from hub.core.numbers import ZERO, quantize
from hub.mappings.shopify_charges import ChargeSpec, line_discount, order_charges

__all__ = [
    "NotFulfillable",
    "OrderIn",
    "OrderLineIn",
    "RefundIn",
    "fulfillment_input",
    "gid",
    "hold_reason",
    "inventory_set_input",
    "order_from_graphql",
    "order_gid_from_webhook",
    "sales_order_command",
]

#: Refund restock types that put goods back on the shelf (the others are money only,
#: or cancel unfulfilled items).
RESTOCKING = frozenset({"RETURN", "LEGACY_RESTOCK"})


def gid(kind: str, legacy_id: int | str) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"


@dataclass(frozen=True)
class OrderLineIn:
    sku: str
    qty: Decimal
    unit_price: Decimal
    #: Units taken off before they shipped: refunded with restock type CANCEL, or removed
    #: by editing the order (``currentQuantity`` short of ``quantity`` by more than refunds).
    cancelled: Decimal = ZERO
    #: Line-level discounts on the line as a whole (:func:`~hub.mappings.shopify_charges.line_discount`).
    discount: Decimal = ZERO

    @property
    def to_keep(self) -> Decimal:
        """What the hub order should still hold of the SKU, shipped or not."""
        return self.qty - self.cancelled


@dataclass(frozen=True)
class RefundIn:
    id: str
    #: (sku, quantity, restocked) per refunded line.
    lines: tuple[tuple[str, Decimal, bool], ...]

    @property
    def restocked(self) -> list[tuple[str, Decimal]]:
        return [(sku, qty) for sku, qty, restock in self.lines if restock]


@dataclass(frozen=True)
class OrderIn:
    id: str
    name: str
    updated_at: str
    cancelled: bool
    currency: str | None
    #: Locations the order is to be fulfilled from (open fulfillment orders; all of them
    #: when none is open, as for an order cancelled before it was fulfilled).
    locations: tuple[str, ...]
    lines: tuple[OrderLineIn, ...]
    #: Lines without a SKU (custom items, tips): not stock, not carried into the hub.
    unstocked: tuple[str, ...]
    refunds: tuple[RefundIn, ...]
    #: Shipping and order-level discounts (:mod:`hub.mappings.shopify_charges`).
    charges: tuple[ChargeSpec, ...] = ()
    #: The store's prices include tax.
    taxes_included: bool = False


def _nodes(connection: Any) -> list[dict[str, Any]]:
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    return list(connection.get("nodes") or [edge["node"] for edge in connection.get("edges", [])])


def order_from_graphql(node: Mapping[str, Any]) -> OrderIn:
    """Read an ``Order`` as the ORDER document returns it."""
    merged: dict[str, tuple[Decimal, Decimal, Decimal, Decimal]] = {}  # sku → (qty, qty × price, gone, discount)
    unstocked: list[str] = []
    for item in _nodes(node.get("lineItems")):
        sku = (item.get("sku") or "").strip()
        qty = Decimal(item["quantity"])
        price = Decimal(str(item["originalUnitPriceSet"]["shopMoney"]["amount"]))
        if not sku:
            unstocked.append(item.get("id", "?"))
            continue
        # One SKU on two lines (e.g. with different properties) is one hub line.
        old_qty, old_value, old_gone, old_discount = merged.get(sku, (ZERO, ZERO, ZERO, ZERO))
        current = item.get("currentQuantity")
        gone = qty - Decimal(current) if current is not None else ZERO
        merged[sku] = (old_qty + qty, old_value + qty * price, old_gone + gone, old_discount + line_discount(item))
    refunds = _refunds(node)
    lines = tuple(
        OrderLineIn(
            sku=sku,
            qty=qty,
            unit_price=quantize(value / qty) if qty else ZERO,
            cancelled=_cancelled(sku, qty, gone, refunds),
            discount=discount,
        )
        for sku, (qty, value, gone, discount) in merged.items()
    )
    locations: list[str] = []
    cancelled: list[str] = []
    for fulfillment_order in _nodes(node.get("fulfillmentOrders")):
        assigned = ((fulfillment_order.get("assignedLocation") or {}).get("location") or {}).get("id")
        places = cancelled if fulfillment_order.get("status") == "CANCELLED" else locations
        if assigned and assigned not in places:
            places.append(assigned)
    return OrderIn(
        id=node["id"],
        name=node.get("name") or node["id"],
        updated_at=node.get("updatedAt") or "",
        cancelled=node.get("cancelledAt") is not None,
        currency=node.get("currencyCode"),
        # An order cancelled before the hub saw it still comes in (and is cancelled there):
        # from where it was to ship.
        locations=tuple(locations or cancelled),
        lines=lines,
        unstocked=tuple(unstocked),
        refunds=tuple(
            RefundIn(refund_id, tuple((sku, qty, kind in RESTOCKING) for sku, qty, kind in rows))
            for refund_id, rows in refunds
        ),
        charges=order_charges(node),
        taxes_included=bool(node.get("taxesIncluded")),
    )


#: A refund's id and its lines as (sku, quantity, restock type).
_Refund = tuple[str, list[tuple[str, Decimal, str | None]]]


def _refunds(node: Mapping[str, Any]) -> list[_Refund]:
    return [
        (
            refund["id"],
            [
                ((line.get("lineItem") or {}).get("sku") or "", Decimal(line["quantity"]), line.get("restockType"))
                for line in _nodes(refund.get("refundLineItems"))
            ],
        )
        for refund in (node.get("refunds") or [])
    ]


def _cancelled(sku: str, qty: Decimal, gone: Decimal, refunds: list[_Refund]) -> Decimal:
    """Units of ``sku`` taken off before they shipped, of the ``gone`` (``quantity − currentQuantity``).

    Refunds with restock type CANCEL name them; what ``gone`` holds beyond every refunded
    unit was removed by an order edit. Other refunds may be of shipped units: those the
    hub takes back as returns, not off the order.
    """
    rows = [(units, kind) for _id, lines in refunds for line_sku, units, kind in lines if line_sku == sku]
    cancelled = sum((units for units, kind in rows if kind == "CANCEL"), ZERO)
    edited = max(ZERO, gone - sum((units for units, _kind in rows), ZERO))
    return min(qty, cancelled + edited)


def hold_reason(order: OrderIn, known_skus: Iterable[str], locations: Mapping[str, str]) -> str | None:
    """Why the order cannot become a hub sales order yet, or None if it can."""
    known = set(known_skus)
    unknown = sorted({line.sku for line in order.lines} - known)
    if unknown:
        return f"unknown SKU {', '.join(unknown)}: no such product in the hub"
    if not order.lines:
        return "no line with a SKU: nothing to take from stock"
    if not order.locations:
        return "no fulfillment location assigned"
    unmapped = [location for location in order.locations if location not in locations]
    if unmapped:
        return f"location {', '.join(unmapped)} is not mapped to a warehouse"
    warehouses = {locations[location] for location in order.locations}
    if len(warehouses) > 1:
        return f"fulfilled from several warehouses ({', '.join(sorted(warehouses))}); the hub ships an order from one"
    return None


def sales_order_command(
    order: OrderIn, *, channel: str, customer: str, locations: Mapping[str, str], default_currency: str | None = None
) -> NewSalesOrder:
    """The hub sales order for a Shopify order (call :func:`hold_reason` first)."""
    return NewSalesOrder(
        customer=customer,
        warehouse=locations[order.locations[0]],
        channel=channel,
        external_id=order.id,
        currency=order.currency or default_currency,
        prices_include_tax=order.taxes_included,
        lines=[
            SalesLine(sku=line.sku, qty=line.qty, unit_price=line.unit_price, discount=line.discount)
            for line in order.lines
        ],
        charges=[ChargeIn(kind=c.kind, description=c.description, amount=c.amount) for c in order.charges],
    )


def inventory_set_input(changes: Iterable[tuple[str, str, int, int | None]], *, reference: str) -> dict[str, Any]:
    """``InventorySetQuantitiesInput`` setting ``available``: (item, location, quantity, compare) each."""
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": reference,
        "quantities": [
            {"inventoryItemId": item, "locationId": location, "quantity": quantity, "compareQuantity": compare}
            for item, location, quantity, compare in changes
        ],
    }


class NotFulfillable(ValueError):
    """The Shopify order has no open fulfillment order lines for what the hub shipped."""


def fulfillment_input(
    shipped: Iterable[tuple[str, Decimal]],
    fulfillment_orders: Iterable[Mapping[str, Any]],
    *,
    number: str | None,
    company: str | None,
    url: str | None,
) -> dict[str, Any]:
    """``FulfillmentInput`` for a hub shipment: its quantities taken from the open
    fulfillment order lines of the same SKUs (partial shipments take part of a line)."""
    open_lines: list[tuple[str, str, int, str]] = []  # (fulfillment order, line, remaining, sku)
    for order in fulfillment_orders:
        if order.get("status") in ("CLOSED", "CANCELLED", "INCOMPLETE"):
            continue
        for line in _nodes(order.get("lineItems")):
            sku = (line.get("lineItem") or {}).get("sku") or ""
            if line.get("remainingQuantity", 0) > 0:
                open_lines.append((order["id"], line["id"], int(line["remainingQuantity"]), sku))
    picked: dict[str, list[dict[str, Any]]] = {}
    for sku, qty in shipped:
        if qty != qty.to_integral_value():
            raise NotFulfillable(f"{sku}: Shopify counts whole units; {qty} cannot be fulfilled")
        wanted = int(qty)
        for order_id, line_id, remaining, line_sku in open_lines:
            if wanted == 0:
                break
            if line_sku != sku or remaining == 0:
                continue
            take = min(wanted, remaining)
            picked.setdefault(order_id, []).append({"id": line_id, "quantity": take})
            wanted -= take
        if wanted:
            raise NotFulfillable(f"{sku}: {wanted} more shipped than Shopify has open to fulfil")
    tracking = {key: value for key, value in (("number", number), ("company", company), ("url", url)) if value}
    body: dict[str, Any] = {
        "lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": order_id, "fulfillmentOrderLineItems": lines} for order_id, lines in picked.items()
        ],
        "notifyCustomer": True,
    }
    if tracking:
        body["trackingInfo"] = tracking
    return body


def order_gid_from_webhook(topic: str, payload: Mapping[str, Any]) -> str | None:
    """The order a webhook is about: orders/* carry it; refunds/create names ``order_id``."""
    if topic.startswith("orders/"):
        return str(payload.get("admin_graphql_api_id") or gid("Order", payload["id"]))
    if topic == "refunds/create" and payload.get("order_id") is not None:
        return gid("Order", payload["order_id"])
    return None
