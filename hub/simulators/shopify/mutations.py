"""The two mutations a stock/fulfillment connector makes, with Shopify's validation.

Both check the whole input before touching anything: one bad line means ``userErrors``
and no change at all, which is the guarantee a connector's compare-and-set relies on
(``compareQuantity`` that no longer matches → ``COMPARE_QUANTITY_STALE``, nothing set).
"""

from __future__ import annotations

import re
from typing import Any

from hub.simulators.shopify.models import (
    InventoryLevel,
    parse_gid,
)
from hub.simulators.shopify.orders import (
    FulfillmentOrderLineItem,
    Tracking,
)
from hub.simulators.shopify.resolvers import RequestContext, resolves

__all__ = ["SET_QUANTITY_REASONS"]

#: The reasons ``inventorySetQuantities`` accepts (Shopify's inventory state change reasons).
SET_QUANTITY_REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_canceled",
        "movement_created",
        "movement_received",
        "movement_updated",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
_MAX_QUANTITY = 1_000_000_000
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


def _error(field: list[str], message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


@resolves("Mutation", "inventorySetQuantities")
def inventory_set_quantities(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    store, data = ctx.store, args["input"]
    errors: list[dict[str, Any]] = []
    name, reason, reference = data["name"], data["reason"], data.get("referenceDocumentUri")
    if name not in ("available", "on_hand"):
        errors.append(
            _error(["input", "name"], "The quantity name must be either 'available' or 'on_hand'.", "INVALID_NAME")
        )
    if reason not in SET_QUANTITY_REASONS:
        errors.append(_error(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"))
    if reference is not None and not _URI.match(reference):
        errors.append(
            _error(
                ["input", "referenceDocumentUri"],
                "The reference document URI is invalid.",
                "INVALID_REFERENCE_DOCUMENT",
            )
        )
    targets: list[tuple[InventoryLevel, int]] = []
    seen: set[tuple[int, int]] = set()
    for i, entry in enumerate(data["quantities"]):
        path = ["input", "quantities", str(i)]
        item = store.items.get(parse_gid(entry["inventoryItemId"], "InventoryItem") or -1)
        location = store.locations.get(parse_gid(entry["locationId"], "Location") or -1)
        if item is None:
            errors.append(
                _error(
                    [*path, "inventoryItemId"],
                    "The specified inventory item could not be found.",
                    "INVALID_INVENTORY_ITEM",
                )
            )
            continue
        if location is None:
            errors.append(
                _error([*path, "locationId"], "The specified location could not be found.", "INVALID_LOCATION")
            )
            continue
        if (item.legacy_id, location.legacy_id) in seen:
            errors.append(
                _error(
                    path,
                    "The combination of inventoryItemId and locationId must be unique.",
                    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                )
            )
            continue
        seen.add((item.legacy_id, location.legacy_id))
        level = item.levels.get(location.legacy_id)
        if level is None:
            errors.append(
                _error(
                    [*path, "locationId"],
                    "The specified inventory item is not stocked at the location.",
                    "ITEM_NOT_STOCKED_AT_LOCATION",
                )
            )
            continue
        quantity, compare = entry["quantity"], entry.get("compareQuantity")
        if quantity < 0:
            errors.append(_error([*path, "quantity"], "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE"))
        elif quantity > _MAX_QUANTITY:
            errors.append(
                _error(
                    [*path, "quantity"],
                    f"The quantity can't be higher than {_MAX_QUANTITY:,}.",
                    "INVALID_QUANTITY_TOO_HIGH",
                )
            )
        if compare is None and not data.get("ignoreCompareQuantity"):
            errors.append(
                _error(
                    [*path, "compareQuantity"],
                    "The compareQuantity argument must be given to each quantity or ignored using "
                    "ignoreCompareQuantity.",
                    "COMPARE_QUANTITY_REQUIRED",
                )
            )
        elif (
            compare is not None
            and not data.get("ignoreCompareQuantity")
            and name in level.quantities
            and compare != level.quantities[name]
        ):
            errors.append(
                _error(
                    [*path, "compareQuantity"],
                    "The compareQuantity argument no longer matches the persisted quantity.",
                    "COMPARE_QUANTITY_STALE",
                )
            )
        targets.append((level, quantity))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    group = store.set_quantities(name, reason, reference, targets)
    store.counters.mutations_applied += 1
    return {"inventoryAdjustmentGroup": group, "userErrors": []}


@resolves("Mutation", "fulfillmentCreate")
def fulfillment_create(_root: Any, ctx: RequestContext, args: dict[str, Any]) -> dict[str, Any]:
    store, data = ctx.store, args["fulfillment"]
    errors: list[dict[str, Any]] = []
    lines: list[tuple[FulfillmentOrderLineItem, int]] = []
    orders = set()
    for i, group in enumerate(data["lineItemsByFulfillmentOrder"]):
        path = ["fulfillment", "lineItemsByFulfillmentOrder", str(i)]
        fo = store.fulfillment_orders.get(parse_gid(group["fulfillmentOrderId"], "FulfillmentOrder") or -1)
        if fo is None:
            errors.append(_error([*path, "fulfillmentOrderId"], "Fulfillment order does not exist."))
            continue
        orders.add(fo.order.legacy_id if fo.order else None)
        if fo.status not in ("OPEN", "IN_PROGRESS"):
            errors.append(
                _error(
                    [*path, "fulfillmentOrderId"],
                    f"Fulfillment order {fo.id} has an unfulfillable status= {fo.status.lower()}.",
                )
            )
            continue
        requested = group.get("fulfillmentOrderLineItems")
        if requested is None:  # no lines named: everything still to ship on this fulfillment order
            lines.extend((line, line.remaining_quantity) for line in fo.line_items if line.remaining_quantity > 0)
            continue
        by_id = {line.id: line for line in fo.line_items}
        for j, wanted in enumerate(requested):
            line = by_id.get(wanted["id"])
            if line is None:
                errors.append(
                    _error(
                        [*path, "fulfillmentOrderLineItems", str(j), "id"],
                        "Fulfillment order line item does not belong to the fulfillment order.",
                    )
                )
            elif not 0 < wanted["quantity"] <= line.remaining_quantity:
                errors.append(
                    _error(
                        [*path, "fulfillmentOrderLineItems", str(j), "quantity"],
                        "Invalid fulfillment order line item quantity requested.",
                    )
                )
            else:
                lines.append((line, wanted["quantity"]))
    if len(orders) > 1:
        errors.append(_error(["fulfillment"], "All fulfillment orders must belong to the same order."))
    if not errors and not lines:
        errors.append(_error(["fulfillment"], "Line items to fulfill must be present."))
    if errors:
        return {"fulfillment": None, "userErrors": errors}
    info = data.get("trackingInfo") or {}
    number = info.get("number") or next(iter(info.get("numbers") or []), None)
    url = info.get("url") or next(iter(info.get("urls") or []), None)
    tracking = Tracking(number, info.get("company"), url) if (number or url or info.get("company")) else None
    fulfillment = store.fulfill(lines, tracking)
    store.counters.mutations_applied += 1
    return {"fulfillment": fulfillment, "userErrors": []}
