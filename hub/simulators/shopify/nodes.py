"""Lookups by GID: ``node(id:)``, ``nodes(ids:)`` and the typed ones (``order(id:)`` …).

The main tables are dictionaries by numeric id, so a lookup is a dictionary hit;
records that live inside others (line items, fulfillments, refunds, levels) are found
by a walk, which is fine at simulator scale. A typed lookup given another type's GID
answers null, as Shopify does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hub.simulators.shopify.models import Node
from hub.simulators.shopify.resolvers import RESOLVERS, RequestContext, Resolver, resolves
from hub.simulators.shopify.store import ShopifyStore

__all__ = ["find_node"]

_GID = re.compile(r"gid://shopify/(\w+)/(\d+)(\?.*)?")


def _lookup(typename: str | None) -> Resolver:
    def resolve(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> Any:
        if args.get("id") is None:  # location() without an id: the shop's primary location
            return next(iter(ctx.store.locations.values()), None)
        node = find_node(ctx.store, args["id"])
        return node if node is not None and typename in (None, node.typename) else None

    return resolve


for _field, _type in (
    ("location", "Location"),
    ("productVariant", "ProductVariant"),
    ("product", "Product"),
    ("inventoryItem", "InventoryItem"),
    ("inventoryLevel", "InventoryLevel"),
    ("order", "Order"),
    ("fulfillmentOrder", "FulfillmentOrder"),
    ("fulfillment", "Fulfillment"),
    ("customer", "Customer"),
    ("node", None),
):
    RESOLVERS[("QueryRoot", _field)] = _lookup(_type)


@resolves("QueryRoot", "nodes")
def _nodes(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> list[Any]:
    return [find_node(ctx.store, node_id) for node_id in args["ids"]]


def _tables(store: ShopifyStore) -> dict[str, Mapping[int, Node]]:
    return {
        "Location": store.locations,
        "Product": store.products,
        "ProductVariant": store.variants,
        "InventoryItem": store.items,
        "Order": store.orders,
        "FulfillmentOrder": store.fulfillment_orders,
        "InventoryAdjustmentGroup": store.adjustment_groups,
    }


def _nested(store: ShopifyStore) -> Iterator[Node]:
    for item in store.items.values():
        yield from item.levels.values()
    yield from store.customers.values()
    for order in store.orders.values():
        yield from order.line_items
        yield from order.fulfillments
        yield from order.refunds
        for fo in order.fulfillment_orders:
            yield from fo.line_items


def find_node(store: ShopifyStore, node_id: str) -> Node | None:
    """The record behind a GID, whatever its type (``node(id:)`` and the typed lookups)."""
    match = _GID.fullmatch(node_id)
    if match is None:
        return None
    kind, number = match.group(1), int(match.group(2))
    table = _tables(store).get(kind)
    if table is not None:
        return table.get(number)
    return next((n for n in _nested(store) if n.typename == kind and n.legacy_id == number), None)
