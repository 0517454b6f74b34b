"""Webhook bodies in the REST shape Shopify sends them (``orders/create`` and friends).

Webhooks are REST-era: numeric ids next to ``admin_graphql_api_id``, snake_case keys,
prices as strings, lower-case statuses, timestamps with an offset. Built at the moment
of the change, so a late or repeated delivery carries the state *as it was then* —
which is what makes a connector's "read the current state, don't trust the payload"
rule worth testing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.simulators.shopify.models import (
    InventoryLevel,
)
from hub.simulators.shopify.orders import (
    Fulfillment,
    LineItem,
    Order,
    Refund,
)

__all__ = ["payload_for"]


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _price(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def _money_set(amount: Decimal, currency: str) -> dict[str, Any]:
    money = {"amount": _price(amount), "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def line_item(line: LineItem, quantity: int | None = None) -> dict[str, Any]:
    variant = line.variant
    return {
        "id": line.legacy_id,
        "admin_graphql_api_id": line.id,
        "variant_id": variant.legacy_id if variant else None,
        "product_id": variant.product.legacy_id if variant and variant.product else None,
        "sku": line.sku,
        "name": line.name,
        "title": variant.product.title if variant and variant.product else line.title,
        "variant_title": variant.title if variant else None,
        "quantity": line.quantity if quantity is None else quantity,
        "current_quantity": line.current_quantity,
        "fulfillable_quantity": line.unfulfilled_quantity,
        "fulfillment_status": None
        if line.fulfilled == 0
        else "fulfilled"
        if line.unfulfilled_quantity == 0
        else "partial",
        "price": _price(line.price),
        "price_set": _money_set(line.price, line.currency_code),
        "total_discount": _price(line.price * line.quantity - line.discounted),
        "discount_allocations": [
            {"amount": _price(amount), "discount_application_index": application.index}
            for application, amount in line.discount_allocations
        ],
        "requires_shipping": True,
        "taxable": True,
        "tax_lines": [],
    }


def fulfillment(record: Fulfillment) -> dict[str, Any]:
    tracking = record.tracking
    return {
        "id": record.legacy_id,
        "admin_graphql_api_id": record.id,
        "order_id": record.order.legacy_id if record.order else None,
        "name": record.name,
        "status": record.status.lower(),
        "created_at": _time(record.created_at),
        "updated_at": _time(record.updated_at),
        "location_id": record.location.legacy_id if record.location else None,
        "tracking_company": tracking[0].company if tracking else None,
        "tracking_number": tracking[0].number if tracking else None,
        "tracking_numbers": [t.number for t in tracking if t.number],
        "tracking_url": tracking[0].url if tracking else None,
        "tracking_urls": [t.url for t in tracking if t.url],
        "line_items": [line_item(f.line_item, f.quantity) for f in record.line_items if f.line_item],
    }


def refund(record: Refund) -> dict[str, Any]:
    return {
        "id": record.legacy_id,
        "admin_graphql_api_id": record.id,
        "order_id": record.order.legacy_id if record.order else None,
        "created_at": _time(record.created_at),
        "processed_at": _time(record.created_at),
        "note": record.note,
        "restock": any(r.restocked for r in record.line_items),
        "refund_line_items": [
            {
                "id": r.legacy_id,
                "quantity": r.quantity,
                "line_item_id": r.line_item.legacy_id if r.line_item else None,
                "location_id": r.location.legacy_id if r.location else None,
                "restock_type": r.restock_type.lower(),
                "subtotal": _price(r.line_item.price * r.quantity) if r.line_item else "0.00",
                "total_tax": "0.00",
                "line_item": line_item(r.line_item) if r.line_item else None,
            }
            for r in record.line_items
        ],
        "transactions": [],
        "order_adjustments": [],
    }


def order(record: Order) -> dict[str, Any]:
    status = record.display_fulfillment_status
    customer = record.customer
    current = sum((line.price * line.current_quantity for line in record.line_items), Decimal(0))
    return {
        "id": record.legacy_id,
        "admin_graphql_api_id": record.id,
        "name": record.name,
        "order_number": record.number,
        "number": record.number - 1000,
        "email": record.email,
        "contact_email": record.email,
        "created_at": _time(record.created_at),
        "updated_at": _time(record.updated_at),
        "processed_at": _time(record.created_at),
        "cancelled_at": _time(record.cancelled_at),
        "cancel_reason": record.cancel_reason.lower() if record.cancel_reason else None,
        "closed_at": _time(record.closed_at),
        "currency": record.currency_code,
        "presentment_currency": record.currency_code,
        "financial_status": record.financial_status.lower(),
        "fulfillment_status": {"UNFULFILLED": None, "PARTIALLY_FULFILLED": "partial"}.get(status, "fulfilled"),
        "total_price": _price(record.total),
        "subtotal_price": _price(record.subtotal),
        "total_discounts": _price(record.discounts),
        "total_shipping_price_set": _money_set(record.shipping, record.currency_code),
        "taxes_included": record.taxes_included,
        "shipping_lines": [
            {"id": line.legacy_id, "title": line.title, "code": line.title, "price": _price(line.price)}
            for line in record.shipping_lines
        ],
        "discount_applications": [
            {
                "type": "discount_code" if d.code is not None else "manual",
                "code": d.code,
                "title": d.title,
                "value": _price(d.amount),
                "value_type": "fixed_amount",
                "allocation_method": d.allocation_method.lower(),
                "target_selection": d.target_selection.lower(),
                "target_type": d.target_type.lower(),
            }
            for d in record.discount_applications
        ],
        "current_total_price": _price(current),
        "total_tax": "0.00",
        "test": record.test,
        "note": record.note,
        "tags": ", ".join(record.tags),
        "customer": {
            "id": customer.legacy_id,
            "admin_graphql_api_id": customer.id,
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
        }
        if customer
        else None,
        "line_items": [line_item(line) for line in record.line_items],
        "fulfillments": [fulfillment(f) for f in record.fulfillments],
        "refunds": [refund(r) for r in record.refunds],
    }


def inventory_level(level: InventoryLevel) -> dict[str, Any]:
    return {
        "inventory_item_id": level.item.legacy_id if level.item else None,
        "location_id": level.location.legacy_id if level.location else None,
        "available": level.quantities["available"],
        "updated_at": _time(level.updated_at),
        "admin_graphql_api_id": level.id,
    }


def payload_for(record: Any) -> dict[str, Any]:
    """The body for a record the store announced, whatever its kind."""
    if isinstance(record, Order):
        return order(record)
    if isinstance(record, Refund):
        return refund(record)
    if isinstance(record, Fulfillment):
        return fulfillment(record)
    if isinstance(record, InventoryLevel):
        return inventory_level(record)
    raise TypeError(f"no webhook payload for {type(record).__name__}")
