"""The simulated store's state and its Python API: catalog, inventory, orders, fulfillment.

Tests and the benchmark drive the platform side through these methods (or the control
API over them, ``control.py``); the GraphQL endpoint reads the same state and changes it
only through :meth:`ShopifyStore.set_quantities` and :meth:`ShopifyStore.fulfill`.
Every change that Shopify would announce calls the listeners with a webhook topic and
the record — the webhook sender snapshots the payload at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from hub.simulators.shopify.catalog import Catalog, StoreError
from hub.simulators.shopify.models import (
    InventoryAdjustmentGroup,
    InventoryChange,
    InventoryLevel,
    Location,
    parse_gid,
)
from hub.simulators.shopify.orders import (
    Customer,
    Fulfillment,
    FulfillmentLineItem,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    Refund,
    RefundLineItem,
    ShippingLine,
    Tracking,
)

__all__ = ["RESTOCK_TYPES", "ShopifyStore", "StoreError"]

#: Shopify's ``RefundLineItemRestockType`` values.
RESTOCK_TYPES = ("RETURN", "CANCEL", "NO_RESTOCK", "LEGACY_RESTOCK")


class ShopifyStore(Catalog):
    def _clear(self) -> None:
        super()._clear()
        self.orders: dict[int, Order] = {}
        self.customers: dict[str, Customer] = {}
        self.fulfillment_orders: dict[int, FulfillmentOrder] = {}
        self.adjustment_groups: dict[int, InventoryAdjustmentGroup] = {}
        self._next_number = 1001

    def reset(self) -> None:
        """Forget every record (counters stay; see :meth:`reset_counters`)."""
        self._clear()

    def reset_counters(self) -> None:
        self.counters.reset()

    def order(self, ref: Order | int | str) -> Order:
        """By record, numeric id, GID or name (``#1001``)."""
        if isinstance(ref, Order):
            return ref
        number = int(ref) if isinstance(ref, int) or ref.isdigit() else parse_gid(ref, "Order")
        if number in self.orders:
            return self.orders[number]
        for order in self.orders.values():
            if order.name == ref:
                return order
        raise StoreError(f"no order {ref!r}")

    # -- orders ----------------------------------------------------------------------

    def create_order(
        self,
        line_items: Iterable[Mapping[str, Any]],
        *,
        location: Any = None,
        customer: Mapping[str, str] | None = None,
        email: str | None = None,
        financial_status: str = "PAID",
        note: str | None = None,
        shipping_lines: Iterable[Mapping[str, Any]] = (),
        discounts: Iterable[Mapping[str, Any]] = (),
    ) -> Order:
        """Place an order: ``line_items`` are ``{"sku", "quantity", "price"?, "location"?, "discount"?}``
        (a line-level ``discount`` ``{"amount", "code"? | "title"?}``),
        ``shipping_lines`` ``{"title", "price"}`` and order-level ``discounts``
        ``{"amount", "code"? | "title"?}`` (allocated across the line items).

        Each line is assigned to ``location`` (default: the first active one) and commits
        stock there, as Shopify does when an order is placed; fires ``orders/create``.
        """
        now = self.now()
        email = email or (customer or {}).get("email")
        order = Order(
            self.next_id(),
            number=self._next_number,
            email=email,
            currency_code=self.currency,
            financial_status=financial_status,
            note=note,
            created_at=now,
            updated_at=now,
            customer=self._customer(customer, email),
        )
        self._next_number += 1
        default = self.location(location) if location is not None else self._default_location()
        by_location: dict[int, FulfillmentOrder] = {}
        for spec in line_items:
            variant = self.variant_by_sku(spec["sku"])
            quantity = int(spec["quantity"])
            if quantity <= 0:
                raise ValueError("a line item's quantity must be positive")
            given = spec.get("price")  # the control API sends None for "the variant's price"
            price = Decimal(str(given)) if given is not None else variant.price
            line = LineItem(
                self.next_id(),
                variant=variant,
                sku=variant.sku,
                title=variant.display_name,
                quantity=quantity,
                price=price,
                currency_code=self.currency,
            )
            order.line_items.append(line)
            if spec.get("discount"):
                off = spec["discount"]
                order.discount_line(
                    self.next_id(), line, Decimal(str(off["amount"])), code=off.get("code"), title=off.get("title")
                )
            place = self.location(spec["location"]) if spec.get("location") is not None else default
            fo = by_location.get(place.legacy_id)
            if fo is None:
                fo = FulfillmentOrder(self.next_id(), order=order, location=place, created_at=now, updated_at=now)
                by_location[place.legacy_id] = fo
                order.fulfillment_orders.append(fo)
                self.fulfillment_orders[fo.legacy_id] = fo
            fo.line_items.append(
                FulfillmentOrderLineItem(
                    self.next_id(), line_item=line, total_quantity=quantity, remaining_quantity=quantity
                )
            )
            item = variant.inventory_item
            if item is not None and item.tracked:
                self.move(self.level_for(item, place), available=-quantity, committed=quantity)
        if not order.line_items:
            raise ValueError("an order needs at least one line item")
        for spec in shipping_lines:
            price = Decimal(str(spec["price"]))
            if price < 0:
                raise ValueError("a shipping line's price cannot be negative")
            order.shipping_lines.append(
                ShippingLine(
                    self.next_id(), title=spec.get("title") or "Shipping", price=price, currency_code=self.currency
                )
            )
        for spec in discounts:
            order.discount(self.next_id(), Decimal(str(spec["amount"])), code=spec.get("code"), title=spec.get("title"))
        self.orders[order.legacy_id] = order
        self.emit("orders/create", order)
        return order

    def cancel_order(self, ref: Any, *, reason: str = "CUSTOMER", restock: bool = True, refund: bool = True) -> Order:
        """Cancel: unshipped units leave the order (restocked or not) through a refund.

        Fires ``refunds/create`` (when something was refunded), ``orders/cancelled`` and
        ``orders/updated``; unshipped fulfillment orders become ``CANCELLED``.
        """
        order = self.order(ref)
        if order.cancelled_at is not None:
            raise ValueError(f"order {order.name} is cancelled already")
        unshipped = [(line, line.unfulfilled_quantity) for line in order.line_items if line.unfulfilled_quantity > 0]
        restock_type = "CANCEL" if restock else "NO_RESTOCK"
        if unshipped and refund:
            self.refund_order(
                order,
                [
                    {"line_item": line, "quantity": quantity, "restock_type": restock_type}
                    for line, quantity in unshipped
                ],
                note="Order cancelled",
                _announce_order=False,
            )
        for line, quantity in unshipped if not refund else ():  # unrefunded units still leave the order
            fo = self._fulfillment_order_of(order, line)
            place = fo.location if fo is not None and fo.location is not None else self._default_location()
            self._take_off(order, line, quantity, place, restock=restock)
        for fo in order.fulfillment_orders:
            if sum(line.total_quantity - line.remaining_quantity for line in fo.line_items) == 0:
                fo.status = "CANCELLED"
        order.cancelled_at = order.closed_at = order.updated_at = self.now()
        order.cancel_reason = reason
        if refund:
            order.financial_status = "REFUNDED"
        elif order.financial_status in ("PENDING", "AUTHORIZED"):
            order.financial_status = "VOIDED"
        self.emit("orders/cancelled", order)
        self.emit("orders/updated", order)
        return order

    def refund_order(
        self,
        ref: Any,
        lines: Sequence[Mapping[str, Any]],
        *,
        location: Any = None,
        note: str | None = None,
        _announce_order: bool = True,
    ) -> Refund:
        """Refund units: ``{"sku" | "line_item_id" | "line_item", "quantity", "restock_type"?, "location"?}``.

        ``CANCEL`` takes unshipped units off the order back into available; ``RETURN``
        puts shipped units back on hand (at ``location``, default the line's fulfillment
        location); ``NO_RESTOCK`` restocks nothing (unshipped units first);
        ``LEGACY_RESTOCK`` restocks either. Fires ``refunds/create`` and ``orders/updated``.
        """
        order = self.order(ref)
        plan = [
            (
                self._line(order, spec),
                int(spec["quantity"]),
                str(spec.get("restock_type") or "RETURN").upper(),
                spec.get("location"),
            )
            for spec in lines
        ]
        asked: dict[int, int] = {}
        for line, quantity, restock, _ in plan:
            if restock not in RESTOCK_TYPES:
                raise ValueError(f"restock_type must be one of {', '.join(RESTOCK_TYPES)}, not {restock!r}")
            shipped = line.current_quantity - line.unfulfilled_quantity
            limit = {"CANCEL": line.unfulfilled_quantity, "RETURN": shipped}.get(restock, line.current_quantity)
            asked[line.legacy_id] = asked.get(line.legacy_id, 0) + quantity
            if not 0 < quantity <= limit or asked[line.legacy_id] > line.current_quantity:
                raise ValueError(f"cannot refund {quantity} × {line.sku} with restock {restock} (at most {limit})")
        refund = Refund(self.next_id(), order=order, note=note, created_at=self.now())
        for line, quantity, restock, where in plan:
            fo = self._fulfillment_order_of(order, line)
            given = where if where is not None else location
            place = (
                self.location(given)
                if given is not None
                else fo.location
                if fo is not None and fo.location is not None
                else self._default_location()
            )
            unshipped = {"CANCEL": quantity, "RETURN": 0}.get(restock, min(quantity, line.unfulfilled_quantity))
            self._take_off(order, line, unshipped, place, restock=restock != "NO_RESTOCK")
            shipped = quantity - unshipped
            line.returned += shipped
            item = line.variant.inventory_item if line.variant else None
            if shipped and restock != "NO_RESTOCK" and item is not None and item.tracked:
                self.move(self.level_for(item, place), available=shipped, on_hand=shipped)
            refund.line_items.append(
                RefundLineItem(self.next_id(), line_item=line, quantity=quantity, restock_type=restock, location=place)
            )
        order.refunds.append(refund)
        order.updated_at = self.now()
        order.financial_status = (
            "REFUNDED" if all(li.current_quantity == 0 for li in order.line_items) else "PARTIALLY_REFUNDED"
        )
        self.emit("refunds/create", refund)
        if _announce_order:
            self.emit("orders/updated", order)
        return refund

    # -- writes the GraphQL mutations make -------------------------------------------

    def set_quantities(
        self, name: str, reason: str, reference: str | None, targets: Sequence[tuple[InventoryLevel, int]]
    ) -> InventoryAdjustmentGroup:
        """Apply validated ``inventorySetQuantities`` input: each level's ``name`` becomes the quantity."""
        group = InventoryAdjustmentGroup(
            self.next_id(), reason=reason, reference_document_uri=reference, created_at=self.now()
        )
        for level, quantity in targets:
            delta = quantity - level.quantities[name]
            self.move(level, available=delta, on_hand=delta)
            assert level.item is not None and level.location is not None
            for state in ("available", "on_hand"):
                group.changes.append(
                    InventoryChange(state, delta, level.quantities[state], level.item, level.location, reference)
                )
        self.adjustment_groups[group.legacy_id] = group
        return group

    def fulfill(
        self, lines: Sequence[tuple[FulfillmentOrderLineItem, int]], tracking: Tracking | None = None
    ) -> Fulfillment:
        """Ship validated fulfillment-order lines of one order; fires ``fulfillments/create``."""
        fo_of = {line.legacy_id: fo for fo in self.fulfillment_orders.values() for line in fo.line_items}
        first_fo = fo_of[lines[0][0].legacy_id]
        order = first_fo.order
        assert order is not None
        now = self.now()
        fulfillment = Fulfillment(
            self.next_id(),
            order=order,
            location=first_fo.location,
            status="SUCCESS",
            name=f"{order.name}.{len(order.fulfillments) + 1}",
            created_at=now,
            updated_at=now,
            tracking=[tracking] if tracking else [],
        )
        for fo_line, quantity in lines:
            fo = fo_of[fo_line.legacy_id]
            line = fo_line.line_item
            assert line is not None and fo.location is not None
            fo_line.remaining_quantity -= quantity
            line.fulfilled += quantity
            item = line.variant.inventory_item if line.variant else None
            if item is not None and item.tracked:
                self.move(self.level_for(item, fo.location), committed=-quantity, on_hand=-quantity)
            fulfillment.line_items.append(FulfillmentLineItem(self.next_id(), line_item=line, quantity=quantity))
            self._restate(fo)
        order.fulfillments.append(fulfillment)
        order.updated_at = now
        self.emit("fulfillments/create", fulfillment)
        self.emit("orders/updated", order)
        return fulfillment

    # -- helpers ---------------------------------------------------------------------

    def _default_location(self) -> Location:
        for location in self.locations.values():
            if location.is_active:
                return location
        raise StoreError("the store has no active location")

    def _customer(self, spec: Mapping[str, str] | None, email: str | None) -> Customer | None:
        if not spec and not email:
            return None
        key = email or f"anonymous-{self.next_id()}"
        if key not in self.customers:
            spec = spec or {}
            self.customers[key] = Customer(
                self.next_id(), email=email, first_name=spec.get("first_name"), last_name=spec.get("last_name")
            )
        return self.customers[key]

    def _line(self, order: Order, spec: Mapping[str, Any]) -> LineItem:
        given = spec.get("line_item")
        if isinstance(given, LineItem):
            return given
        wanted = spec.get("line_item_id")
        for line in order.line_items:
            if (wanted is not None and wanted in (line.legacy_id, str(line.legacy_id), line.id)) or (
                wanted is None and line.sku == spec.get("sku")
            ):
                return line
        raise StoreError(f"order {order.name} has no line {wanted or spec.get('sku')!r}")

    def _fulfillment_order_of(self, order: Order, line: LineItem) -> FulfillmentOrder | None:
        for fo in order.fulfillment_orders:
            if any(fo_line.line_item is line for fo_line in fo.line_items):
                return fo
        return None

    def _take_off(self, order: Order, line: LineItem, quantity: int, place: Location, *, restock: bool) -> None:
        """Remove unshipped units from the order and its fulfillment order; release their commitment."""
        if quantity <= 0:
            return
        line.removed += quantity
        for fo in order.fulfillment_orders:
            for fo_line in fo.line_items:
                if fo_line.line_item is line:
                    fo_line.total_quantity -= quantity
                    fo_line.remaining_quantity -= quantity
                    self._restate(fo)
                    place = fo.location or place
        item = line.variant.inventory_item if line.variant else None
        if item is not None and item.tracked:
            level = self.level_for(item, place)
            if restock:
                self.move(level, committed=-quantity, available=quantity)
            else:
                self.move(level, committed=-quantity, on_hand=-quantity)

    def _restate(self, fo: FulfillmentOrder) -> None:
        remaining = sum(line.remaining_quantity for line in fo.line_items)
        total = sum(line.total_quantity for line in fo.line_items)
        if remaining == 0:
            fo.status = "CLOSED"
        elif remaining < total:
            fo.status = "IN_PROGRESS"
        fo.updated_at = self.now()
