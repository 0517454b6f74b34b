"""The simulated store's order-side records: orders, line items, fulfillment orders,
fulfillments and refunds, shaped after the Admin GraphQL types (see ``models.py``).

Shipping lines and discounts follow Shopify's too: a discount on the whole order is a
discount application (target ``ALL`` line items, ``ACROSS``) allocated to the line items
in proportion to their value after line-level discounts, the last line taking what
rounding left; a line-level discount is an application allocated to its one line
(``ENTITLED`` for a code, ``EXPLICIT`` for one staff gave). The order's total is its
lines less discounts plus shipping (the simulated store charges no tax).

A line item's quantities follow Shopify's: ``currentQuantity`` is what is still on the
order (ordered − removed before shipping − returned after), ``unfulfilledQuantity`` what
is still to ship; the order's ``displayFulfillmentStatus`` is derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from hub.simulators.shopify.models import Location, Node, Variant

__all__ = [
    "Customer",
    "DiscountApplication",
    "Fulfillment",
    "FulfillmentLineItem",
    "FulfillmentOrder",
    "FulfillmentOrderLineItem",
    "LineItem",
    "Order",
    "Refund",
    "RefundLineItem",
    "ShippingLine",
    "Tracking",
]


@dataclass(eq=False)
class Customer(Node):
    typename: ClassVar[str] = "Customer"
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@dataclass(eq=False)
class MoneyV2:
    """A ``PricingValue`` that is an amount (the union's members are told apart by type)."""

    typename: ClassVar[str] = "MoneyV2"
    amount: Decimal
    currency_code: str


@dataclass(eq=False)
class DiscountApplication(Node):
    """A discount: a code (``DiscountCodeApplication``) or one staff gave (manual), on the
    whole order (``ALL``) or on one line (``ENTITLED`` / ``EXPLICIT``)."""

    amount: Decimal = Decimal("0.00")
    code: str | None = None
    title: str | None = None
    index: int = 0
    currency_code: str = "USD"
    target_selection: str = "ALL"
    target_type: str = "LINE_ITEM"
    allocation_method: str = "ACROSS"

    @property
    def typename(self) -> str:  # type: ignore[override]
        return "DiscountCodeApplication" if self.code is not None else "ManualDiscountApplication"

    @property
    def value(self) -> MoneyV2:
        return MoneyV2(self.amount, self.currency_code)


@dataclass(eq=False)
class ShippingLine(Node):
    typename: ClassVar[str] = "ShippingLine"
    title: str = "Shipping"
    price: Decimal = Decimal("0.00")
    currency_code: str = "USD"

    @property
    def code(self) -> str:
        return self.title


@dataclass(eq=False)
class LineItem(Node):
    typename: ClassVar[str] = "LineItem"
    variant: Variant | None = None
    sku: str | None = None
    title: str = ""
    quantity: int = 0
    price: Decimal = Decimal("0.00")
    currency_code: str = "USD"
    fulfilled: int = 0  # units shipped
    removed: int = 0  # unshipped units refunded or cancelled
    returned: int = 0  # shipped units refunded
    #: Shares of the order's discounts: (the discount, the amount allocated to this line).
    discount_allocations: list[tuple[DiscountApplication, Decimal]] = field(default_factory=list)

    @property
    def discounted(self) -> Decimal:
        return self.price * self.quantity - sum((amount for _, amount in self.discount_allocations), Decimal(0))

    @property
    def name(self) -> str:
        return self.variant.display_name if self.variant else self.title

    @property
    def current_quantity(self) -> int:
        return self.quantity - self.removed - self.returned

    @property
    def unfulfilled_quantity(self) -> int:
        return self.quantity - self.removed - self.fulfilled

    @property
    def refundable_quantity(self) -> int:
        return self.current_quantity


@dataclass(eq=False)
class FulfillmentOrderLineItem(Node):
    typename: ClassVar[str] = "FulfillmentOrderLineItem"
    line_item: LineItem | None = None
    total_quantity: int = 0
    remaining_quantity: int = 0

    @property
    def sku(self) -> str | None:
        return self.line_item.sku if self.line_item else None


@dataclass(eq=False)
class FulfillmentOrder(Node):
    typename: ClassVar[str] = "FulfillmentOrder"
    order: Order | None = None
    location: Location | None = None
    status: str = "OPEN"
    request_status: str = "UNSUBMITTED"
    line_items: list[FulfillmentOrderLineItem] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def order_id(self) -> str | None:
        return self.order.id if self.order else None


@dataclass(frozen=True)
class Tracking:
    number: str | None = None
    company: str | None = None
    url: str | None = None


@dataclass(eq=False)
class FulfillmentLineItem(Node):
    typename: ClassVar[str] = "FulfillmentLineItem"
    line_item: LineItem | None = None
    quantity: int = 0


@dataclass(eq=False)
class Fulfillment(Node):
    typename: ClassVar[str] = "Fulfillment"
    order: Order | None = None
    location: Location | None = None
    name: str = ""
    status: str = "SUCCESS"
    tracking: list[Tracking] = field(default_factory=list)
    line_items: list[FulfillmentLineItem] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(eq=False)
class RefundLineItem(Node):
    typename: ClassVar[str] = "RefundLineItem"
    line_item: LineItem | None = None
    quantity: int = 0
    restock_type: str = "NO_RESTOCK"
    location: Location | None = None

    @property
    def restocked(self) -> bool:
        return self.restock_type != "NO_RESTOCK"


@dataclass(eq=False)
class Refund(Node):
    typename: ClassVar[str] = "Refund"
    order: Order | None = None
    note: str | None = None
    line_items: list[RefundLineItem] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass(eq=False)
class Order(Node):
    typename: ClassVar[str] = "Order"
    number: int = 1001
    email: str | None = None
    customer: Customer | None = None
    currency_code: str = "USD"
    financial_status: str = "PAID"
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    test: bool = False
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    discount_applications: list[DiscountApplication] = field(default_factory=list)
    taxes_included: bool = False
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def display_financial_status(self) -> str:
        return self.financial_status

    @property
    def display_fulfillment_status(self) -> str:
        shipped = sum(line.fulfilled for line in self.line_items)
        to_ship = sum(line.unfulfilled_quantity for line in self.line_items)
        if shipped == 0:
            return "UNFULFILLED"
        return "FULFILLED" if to_ship == 0 else "PARTIALLY_FULFILLED"

    @property
    def subtotal(self) -> Decimal:
        """The line items after discounts."""
        return sum((line.discounted for line in self.line_items), Decimal("0.00"))

    @property
    def shipping(self) -> Decimal:
        return sum((line.price for line in self.shipping_lines), Decimal("0.00"))

    @property
    def discounts(self) -> Decimal:
        return sum((d.amount for d in self.discount_applications), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping

    def discount(
        self, legacy_id: int, amount: Decimal, *, code: str | None = None, title: str | None = None
    ) -> DiscountApplication:
        """Take ``amount`` off the whole order, allocated across its line items by value."""
        cents = Decimal("0.01")
        value = self.subtotal
        if amount <= 0 or amount > self.subtotal:
            raise ValueError("a discount must be positive and no more than the line items after discounts")
        application = self._application(legacy_id, amount, code, title)
        left = amount
        for i, line in enumerate(self.line_items):
            last = i == len(self.line_items) - 1
            share = left if last else (amount * line.discounted / value).quantize(cents)
            line.discount_allocations.append((application, share))
            left -= share
        self.discount_applications.append(application)
        return application

    def discount_line(
        self, legacy_id: int, line: LineItem, amount: Decimal, *, code: str | None = None, title: str | None = None
    ) -> DiscountApplication:
        """Take ``amount`` off one line item: a code entitled to it, or a discount staff gave it."""
        if amount <= 0 or amount > line.discounted:
            raise ValueError("a line's discount must be positive and no more than the line after discounts")
        application = self._application(
            legacy_id,
            amount,
            code,
            title,
            target_selection="ENTITLED" if code is not None else "EXPLICIT",
            allocation_method="ACROSS" if code is not None else "ONE",
        )
        line.discount_allocations.append((application, amount))
        self.discount_applications.append(application)
        return application

    def _application(
        self,
        legacy_id: int,
        amount: Decimal,
        code: str | None,
        title: str | None,
        *,
        target_selection: str = "ALL",
        allocation_method: str = "ACROSS",
    ) -> DiscountApplication:
        """The order's next discount application: a code's, or (without one) a titled manual one."""
        return DiscountApplication(
            legacy_id,
            amount=amount,
            code=code,
            title=title if code is None else None,
            index=len(self.discount_applications),
            currency_code=self.currency_code,
            target_selection=target_selection,
            allocation_method=allocation_method,
        )
