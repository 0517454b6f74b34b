"""A Shopify order's shipping and order-level discounts, as the hub order's charges.

- **Shipping**: each shipping line at its ``discountedPriceSet`` (after shipping
  discounts, so those need no charge of their own), titled as in the store; an order
  read without its shipping lines falls back to ``totalShippingPriceSet``. Free
  shipping (zero) adds no charge.
- **Order-level discounts**: discount applications that target *all* line items
  (``targetSelection: ALL``, ``targetType: LINE_ITEM``: a code or manual discount on
  the whole order). Shopify allocates them to the line items; the hub takes the sum
  of their allocations on the lines it carries (lines without a SKU are not carried,
  nor their share), one charge per application, named by its code or title.
- **Line-level discounts** (``ENTITLED`` / ``EXPLICIT``: a code for some products, a
  discount staff gave one line) are not charges: :func:`line_discount` is what they take
  off a line item, which becomes the hub line's ``discount``.

Amounts are the shop's currency (``shopMoney``). In a tax-inclusive store
(``taxesIncluded``) they include tax, as the line prices do, and the hub order says
``prices_include_tax``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from hub.core.numbers import ZERO

__all__ = ["ChargeSpec", "line_discount", "order_charges"]


@dataclass(frozen=True)
class ChargeSpec:
    kind: Literal["shipping", "discount"]
    description: str
    amount: Decimal


def _name(text: object, default: str) -> str:
    """A title as the hub's names take it: one line, no blanks at either end, at most 200 characters."""
    words = " ".join(str(text or "").split())
    return words[:200].rstrip() or default


def _amount(bag: Mapping[str, Any] | None) -> Decimal | None:
    if not bag:
        return None
    return Decimal(str(bag["shopMoney"]["amount"]))


def _nodes(connection: Any) -> list[dict[str, Any]]:
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    return list(connection.get("nodes") or [edge["node"] for edge in connection.get("edges", [])])


def _shipping(node: Mapping[str, Any]) -> list[ChargeSpec]:
    if "shippingLines" not in node:
        total = _amount(node.get("totalShippingPriceSet"))
        return [ChargeSpec("shipping", "Shipping", total)] if total else []
    charges = []
    for line in _nodes(node["shippingLines"]):
        amount = _amount(line.get("discountedPriceSet")) or _amount(line.get("originalPriceSet")) or ZERO
        if amount > 0:
            charges.append(ChargeSpec("shipping", _name(line.get("title"), "Shipping"), amount))
    return charges


def _order_level(application: Mapping[str, Any]) -> bool:
    return (application.get("targetSelection"), application.get("targetType")) == ("ALL", "LINE_ITEM")


def line_discount(item: Mapping[str, Any]) -> Decimal:
    """What the line-level discounts (not those on the whole order) take off a line item."""
    return sum(
        (
            _amount(allocation.get("allocatedAmountSet")) or ZERO
            for allocation in item.get("discountAllocations") or []
            if not _order_level(allocation.get("discountApplication") or {})
        ),
        ZERO,
    )


def _discounts(carried: Iterable[Mapping[str, Any]]) -> list[ChargeSpec]:
    by_index: dict[int, tuple[str, Decimal]] = {}
    for item in carried:
        for allocation in item.get("discountAllocations") or []:
            application = allocation.get("discountApplication") or {}
            if not _order_level(application):
                continue
            amount = _amount(allocation.get("allocatedAmountSet")) or ZERO
            name = _name(application.get("code") or application.get("title"), "Order discount")
            index = application.get("index", 0)
            _, so_far = by_index.get(index, (name, ZERO))
            by_index[index] = (name, so_far + amount)
    return [ChargeSpec("discount", name, amount) for _, (name, amount) in sorted(by_index.items()) if amount > 0]


def order_charges(node: Mapping[str, Any]) -> tuple[ChargeSpec, ...]:
    """The charges of an ``Order`` as the ORDER document returns it (see the module docstring)."""
    carried = [item for item in _nodes(node.get("lineItems")) if (item.get("sku") or "").strip()]
    return (*_shipping(node), *_discounts(carried))
