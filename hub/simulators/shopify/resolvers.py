"""Resolvers for the query side: the fields that take arguments or need computing.

Everything else resolves by attribute (``models.py`` names attributes after the schema's
fields), through :func:`field_resolver`, which also puts values in the wire form of
Shopify's custom scalars (``DateTime`` → ``2026-01-01T00:00:00Z``, ``Decimal``/``Money``
→ ``"19.90"``). Node lookups (``node``, ``order(id:)`` …) live in ``nodes.py`` and mutations in
``mutations.py``; both register here the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from hub.simulators.shopify.clock import iso
from hub.simulators.shopify.connections import by_id, connection, first_of, money
from hub.simulators.shopify.models import QUANTITY_NAMES, gid, parse_gid
from hub.simulators.shopify.search import Fields, compile_search
from hub.simulators.shopify.store import ShopifyStore

__all__ = ["RESOLVERS", "RequestContext", "Resolver", "field_resolver", "resolves", "type_resolver"]

Resolver = Callable[[Any, "RequestContext", dict[str, Any]], Any]
RESOLVERS: dict[tuple[str, str], Resolver] = {}


@dataclass
class RequestContext:
    """What one GraphQL request's resolvers share."""

    store: ShopifyStore
    api_version: str
    search: list[dict[str, Any]] = field(default_factory=list)  # → extensions.search


def resolves(type_name: str, *field_names: str) -> Callable[[Resolver], Resolver]:
    def register(function: Resolver) -> Resolver:
        for name in field_names:
            RESOLVERS[(type_name, name)] = function
        return function

    return register


@cache
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def field_resolver(source: Any, info: GraphQLResolveInfo[RequestContext], **args: Any) -> Any:
    resolver = RESOLVERS.get((info.parent_type.name, info.field_name))
    if resolver is not None:
        value = resolver(source, info.context, args)
    elif isinstance(source, Mapping):
        value = source.get(info.field_name)
    else:
        value = getattr(source, _snake(info.field_name), None)
    return _wire(value)


def type_resolver(value: Any, _info: GraphQLResolveInfo[RequestContext], _abstract: Any) -> str | None:
    return getattr(value, "typename", None)


def _search(
    ctx: RequestContext,
    records: Iterator[Any] | list[Any],
    args: Mapping[str, Any],
    fields: Fields,
    default: tuple[str, ...] = (),
) -> list[Any]:
    query = args.get("query")
    search = compile_search(query, fields, default)
    if search.warnings:
        ctx.search.append({"query": query, "warnings": [{"message": w} for w in search.warnings]})
    return [r for r in records if search.matches(r)]


# -- QueryRoot ---------------------------------------------------------------------------


@resolves("QueryRoot", "shop")
def _shop(_root: Any, ctx: RequestContext, _args: dict[str, Any]) -> dict[str, Any]:
    store = ctx.store
    return {
        "id": gid("Shop", store.shop_id),
        "name": store.shop_name,
        "myshopifyDomain": store.domain,
        "currencyCode": store.currency,
        "email": f"owner@{store.domain}",
        "ianaTimezone": "UTC",
        "url": f"https://{store.domain}",
    }


_LOCATION_FIELDS: Fields = {"id": by_id, "name": lambda r: r.name, "active": lambda r: r.is_active}


@resolves("QueryRoot", "locations")
def _locations(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    records = [r for r in ctx.store.locations.values() if r.is_active or args.get("includeInactive")]
    key = (lambda r: r.name) if args.get("sortKey") == "NAME" else by_id
    return connection(_search(ctx, records, args, _LOCATION_FIELDS, ("name",)), args, key)


_VARIANT_FIELDS: Fields = {
    "id": by_id,
    "sku": lambda r: r.sku,
    "title": lambda r: r.title,
    "product_id": lambda r: r.product.legacy_id,
    "created_at": lambda r: r.created_at,
    "updated_at": lambda r: r.updated_at,
    "inventory_quantity": lambda r: sum(lv.quantities["available"] for lv in r.inventory_item.levels.values()),
}
_VARIANT_SORT = {"SKU": lambda r: r.sku, "TITLE": lambda r: r.title, "NAME": lambda r: r.display_name}


@resolves("QueryRoot", "productVariants")
def _variants(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    records = _search(ctx, list(ctx.store.variants.values()), args, _VARIANT_FIELDS, ("sku", "title"))
    return connection(records, args, _VARIANT_SORT.get(args.get("sortKey") or "ID", by_id))


@resolves("QueryRoot", "products")
def _products(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    fields: Fields = {
        "id": by_id,
        "title": lambda p: p.title,
        "sku": lambda p: [v.sku for v in p.variants],
        "updated_at": lambda p: p.updated_at,
        "created_at": lambda p: p.created_at,
    }
    records = _search(ctx, list(ctx.store.products.values()), args, fields, ("title",))
    return connection(records, args, (lambda p: p.title) if args.get("sortKey") == "TITLE" else by_id)


@resolves("Product", "variants")
def _product_variants(product: Any, _ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    return connection(product.variants, args, _VARIANT_SORT.get(args.get("sortKey") or "ID", by_id))


_ITEM_FIELDS: Fields = {
    "id": by_id,
    "sku": lambda r: r.sku,
    "created_at": lambda r: r.created_at,
    "updated_at": lambda r: r.updated_at,
}


@resolves("QueryRoot", "inventoryItems")
def _items(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    return connection(_search(ctx, list(ctx.store.items.values()), args, _ITEM_FIELDS, ("sku",)), args)


_ORDER_STATUS: dict[str, Callable[[Any], bool]] = {
    "open": lambda o: not o.closed and o.cancelled_at is None,
    "closed": lambda o: o.closed,
    "cancelled": lambda o: o.cancelled_at is not None,
    "any": lambda o: True,
}
_FULFILLMENT_STATUS = {
    "UNFULFILLED": ("unshipped", "unfulfilled"),
    "PARTIALLY_FULFILLED": ("partial",),
    "FULFILLED": ("shipped", "fulfilled"),
}
_ORDER_FIELDS: Fields = {
    "id": by_id,
    "name": lambda o: [o.name, str(o.number)],
    "email": lambda o: o.email,
    "created_at": lambda o: o.created_at,
    "processed_at": lambda o: o.created_at,
    "updated_at": lambda o: o.updated_at,
    "cancelled_at": lambda o: o.cancelled_at,
    "status": lambda o: [s for s, test in _ORDER_STATUS.items() if test(o)],
    "financial_status": lambda o: o.financial_status.lower(),
    "fulfillment_status": lambda o: list(_FULFILLMENT_STATUS[o.display_fulfillment_status]),
    "sku": lambda o: [line.sku for line in o.line_items],
}
_ORDER_SORT = {
    "CREATED_AT": lambda o: o.created_at,
    "PROCESSED_AT": lambda o: o.created_at,
    "UPDATED_AT": lambda o: o.updated_at,
    "ORDER_NUMBER": lambda o: o.number,
    "TOTAL_PRICE": lambda o: float(o.total),
}


@resolves("QueryRoot", "orders")
def _orders(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    records = _search(ctx, list(ctx.store.orders.values()), args, _ORDER_FIELDS, ("name", "email"))
    return connection(records, args, _ORDER_SORT.get(args.get("sortKey") or "ID", by_id))


# -- nested fields -------------------------------------------------------------------

_LEVEL_FIELDS: Fields = {"location_id": lambda r: r.location.legacy_id, "updated_at": lambda r: r.updated_at}


@resolves("InventoryItem", "inventoryLevels")
def _levels(item: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    return connection(_search(ctx, list(item.levels.values()), args, _LEVEL_FIELDS), args)


@resolves("InventoryItem", "inventoryLevel")
def _level(item: Any, ctx: RequestContext, args: dict[str, Any]) -> Any:
    return item.levels.get(parse_gid(args["locationId"], "Location"))


@resolves("InventoryLevel", "quantities")
def _quantities(level: Any, _ctx: RequestContext, args: dict[str, Any]) -> list[dict[str, Any]]:
    unknown = [name for name in args["names"] if name not in QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(
            f"Invalid quantity names: {', '.join(unknown)}. Valid names: {', '.join(QUANTITY_NAMES)}",
            extensions={"code": "BAD_REQUEST"},
        )
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level.legacy_id}?name={name}",
            "name": name,
            "quantity": level.quantities[name],
            "updatedAt": level.updated_at,
        }
        for name in args["names"]
    ]


@resolves("Order", "lineItems")
@resolves("FulfillmentOrder", "lineItems")
@resolves("Fulfillment", "fulfillmentLineItems")
@resolves("Refund", "refundLineItems")
def _children(parent: Any, _ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    return connection(parent.line_items, args)


@resolves("Order", "fulfillmentOrders")
def _fulfillment_orders(order: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    records = [fo for fo in order.fulfillment_orders if not args.get("displayable") or fo.status != "CLOSED"]
    return connection(_search(ctx, records, args, {"status": lambda fo: fo.status.lower()}), args)


RESOLVERS[("Order", "shippingLines")] = lambda order, _ctx, args: connection(order.shipping_lines, args)
RESOLVERS[("Order", "discountApplications")] = lambda order, _ctx, args: connection(order.discount_applications, args)


@resolves("LineItem", "discountAllocations")
def _allocations(line: Any, _ctx: RequestContext, _args: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "allocatedAmountSet": money(amount, line.currency_code),
            "allocatedAmount": {"amount": _wire(amount), "currencyCode": line.currency_code},
            "discountApplication": application,
        }
        for application, amount in line.discount_allocations
    ]


RESOLVERS[("Order", "fulfillments")] = lambda order, _ctx, args: first_of(order.fulfillments, args)
RESOLVERS[("Order", "refunds")] = lambda order, _ctx, args: first_of(order.refunds, args)
RESOLVERS[("Fulfillment", "trackingInfo")] = lambda fulfillment, _ctx, args: first_of(fulfillment.tracking, args)


def _bag(amount: Callable[[Any], Decimal], currency: Callable[[Any], str]) -> Resolver:
    return lambda record, _ctx, _args: money(amount(record), currency(record))


def _current_total(order: Any) -> Decimal:
    # A line's discount goes with its units: what is left of the line keeps its share.
    lines: Decimal = sum(
        (line.discounted * line.current_quantity / line.quantity for line in order.line_items), Decimal(0)
    )
    shipping: Decimal = order.shipping
    return lines + shipping


def _currency(record: Any) -> str:
    return str(record.currency_code)


def _line_currency(record: Any) -> str:
    return str(record.line_item.currency_code)


for _name, _amount in (
    ("totalPriceSet", lambda o: o.total),
    ("subtotalPriceSet", lambda o: o.subtotal),
    ("totalShippingPriceSet", lambda o: o.shipping),
    ("totalDiscountsSet", lambda o: o.discounts),
    ("currentTotalDiscountsSet", lambda o: o.discounts),
    ("currentTotalPriceSet", _current_total),
    ("currentSubtotalPriceSet", lambda o: _current_total(o) - o.shipping),
):
    RESOLVERS[("Order", _name)] = _bag(_amount, _currency)
for _name, _amount in (
    ("originalUnitPriceSet", lambda li: li.price),
    ("discountedUnitPriceSet", lambda li: li.price),
    ("originalTotalSet", lambda li: li.price * li.quantity),
    ("totalDiscountSet", lambda li: li.price * li.quantity - li.discounted),
):
    RESOLVERS[("LineItem", _name)] = _bag(_amount, _currency)
for _name in ("originalPriceSet", "discountedPriceSet", "currentDiscountedPriceSet"):
    RESOLVERS[("ShippingLine", _name)] = _bag(lambda sl: sl.price, _currency)
for _type, _name in (
    ("FulfillmentLineItem", "originalTotalSet"),
    ("FulfillmentLineItem", "discountedTotalSet"),
    ("RefundLineItem", "subtotalSet"),
):
    RESOLVERS[(_type, _name)] = _bag(lambda r: r.line_item.price * r.quantity, _line_currency)
RESOLVERS[("RefundLineItem", "priceSet")] = _bag(lambda r: r.line_item.price, _line_currency)
RESOLVERS[("RefundLineItem", "price")] = lambda r, _ctx, _args: r.line_item.price
RESOLVERS[("RefundLineItem", "subtotal")] = lambda r, _ctx, _args: r.line_item.price * r.quantity
RESOLVERS[("ProductVariant", "displayName")] = lambda v, _ctx, _args: v.display_name


@resolves("FulfillmentOrder", "assignedLocation")
def _assigned(fo: Any, _ctx: RequestContext, _args: dict[str, Any]) -> dict[str, Any]:
    return {"location": fo.location, "name": fo.location.name if fo.location else "", "countryCode": "US"}


@resolves("InventoryAdjustmentGroup", "changes")
def _changes(group: Any, _ctx: RequestContext, args: dict[str, Any]) -> list[Any]:
    items, locations, names = args.get("inventoryItemIds"), args.get("locationIds"), args.get("quantityNames")
    return [
        c
        for c in group.changes
        if (items is None or c.item.id in items)
        and (locations is None or c.location.id in locations)
        and (names is None or c.name in names)
    ]
