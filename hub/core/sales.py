"""Sales: orders with reservations, shipments and returns.

    (credit ok)  ──▶ confirmed ──shipment──▶ partially_shipped ──shipment──▶ shipped
    (over limit) ──▶ on_hold ──approve──▶ confirmed
    on_hold / confirmed / partially_shipped ──cancel──▶ cancelled
    on_hold / confirmed / partially_shipped ──reduce──▶ (same) | shipped | cancelled

A confirmed order holds a reservation for everything not yet shipped; shipping
consumes it, cancelling releases it, and so does reducing a line (units the channel
took off before they shipped). Returns can follow any shipment.

A line may carry a discount: an amount off the line as a whole (all its units), as a
channel allocates a line-level discount. Its invoices take it in proportion to the units
they bill, the line's last units what is left, so the invoices of a line add up to its
discount to the cent; reducing the line keeps the discount of the units left.

An order may also carry charges that are not goods: shipping (adds to the total) and an
order-level discount (a positive amount that takes off it). Its first invoice bills
them (:mod:`hub.core.invoicing`); the total is never below zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from hub.core.errors import InvalidInput, InvalidTransition
from hub.core.ledger import Reference, StockBook
from hub.core.money import round_money
from hub.core.numbers import ZERO, quantize

__all__ = [
    "OPEN_STATUSES",
    "ChargeKind",
    "OrderCharge",
    "ReturnLine",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "SalesReturn",
    "Shipment",
    "ShipmentLine",
]


class SalesOrderStatus(StrEnum):
    ON_HOLD = "on_hold"
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class ChargeKind(StrEnum):
    SHIPPING = "shipping"
    DISCOUNT = "discount"


#: Orders that count against a customer's credit limit.
OPEN_STATUSES = (SalesOrderStatus.ON_HOLD, SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIALLY_SHIPPED)


@dataclass(eq=False)
class SalesOrderLine:
    sku: str
    qty: Decimal
    unit_price: Decimal
    reserved: Decimal = ZERO
    shipped: Decimal = ZERO
    returned: Decimal = ZERO
    #: Cost of goods sold so far on this line (Σ value of its shipment moves).
    cogs: Decimal = ZERO
    #: The line's own tax code (None: the product's), see :mod:`hub.core.invoicing`.
    tax_code: str | None = None
    #: An amount off the line as a whole (tax included where the order's prices are), and
    #: the part of it on invoices not voided.
    discount: Decimal = ZERO
    discount_invoiced: Decimal = ZERO
    #: Quantity on invoices not voided, and of that the returned quantity credited back.
    invoiced: Decimal = ZERO
    credited: Decimal = ZERO
    line_no: int = 0
    id: int | None = None
    order_id: int | None = None

    @property
    def unshipped(self) -> Decimal:
        return self.qty - self.shipped

    @property
    def value(self) -> Decimal:
        """What the line comes to: its units at their price less its discount."""
        return self.qty * self.unit_price - self.discount

    def discount_share(self, qty: Decimal, currency: str) -> Decimal:
        """The part of the discount that goes with ``qty`` more units invoiced: in proportion
        to the units, and all that is left with the line's last units."""
        left = self.discount - self.discount_invoiced
        if self.invoiced + qty >= self.qty:
            return left
        return min(left, round_money(self.discount * qty / self.qty, currency))

    def reduce_to(self, qty: Decimal, currency: str) -> None:
        """Lower the ordered quantity; the discount keeps the share of the units left
        (never less than its invoices took already)."""
        kept = round_money(self.discount * qty / self.qty, currency) if self.qty else ZERO
        self.discount = max(self.discount_invoiced, min(kept, qty * self.unit_price))
        self.qty = qty


@dataclass(eq=False)
class OrderCharge:
    """Shipping or an order-level discount: ``amount`` is never negative, a discount takes it off."""

    kind: ChargeKind
    description: str
    amount: Decimal
    tax_code: str | None = None
    #: On an invoice not voided (charges are billed together, by the order's first invoice).
    invoiced: bool = False
    line_no: int = 0
    id: int | None = None
    order_id: int | None = None

    @property
    def signed(self) -> Decimal:
        """What the charge adds to the order: the amount, or minus it for a discount."""
        return -self.amount if self.kind == ChargeKind.DISCOUNT else self.amount


@dataclass(eq=False)
class ShipmentLine:
    sku: str
    qty: Decimal
    cost: Decimal = ZERO
    id: int | None = None
    shipment_id: int | None = None


@dataclass(eq=False)
class Shipment:
    order_id: int
    warehouse: str
    lines: list[ShipmentLine]
    carrier: str | None = None
    tracking: str | None = None
    created_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class ReturnLine:
    sku: str
    qty: Decimal
    restock: bool
    cost: Decimal = ZERO
    id: int | None = None
    return_id: int | None = None


@dataclass(eq=False)
class SalesReturn:
    order_id: int
    warehouse: str
    lines: list[ReturnLine]
    created_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class SalesOrder:
    customer: str
    warehouse: str
    lines: list[SalesOrderLine]
    charges: list[OrderCharge] = field(default_factory=list)
    channel: str | None = None
    external_id: str | None = None
    currency: str = "USD"
    prices_include_tax: bool = False
    status: SalesOrderStatus = SalesOrderStatus.CONFIRMED
    hold_reason: str | None = None
    total: Decimal = ZERO
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        self._total()

    def _total(self) -> None:
        # qty × price can run past six places; the total is stored (and compared with the
        # credit limit), so keep it to the stored precision or SQLite and PostgreSQL differ.
        # A reduction may leave less than the discount: the total stops at zero.
        self.total = max(ZERO, self.goods_total + sum((charge.signed for charge in self.charges), ZERO))

    @property
    def goods_total(self) -> Decimal:
        return quantize(sum((line.value for line in self.lines), ZERO))

    def check_charges(self) -> None:
        """Refuse discounts that take the order below zero (naming the last discount)."""
        left = self.goods_total + sum((charge.signed for charge in self.charges), ZERO)
        if left < 0:
            last = max(i for i, charge in enumerate(self.charges) if charge.kind == ChargeKind.DISCOUNT)
            raise InvalidInput(
                f"the discounts come to {-left:f} more than the order's goods and shipping",
                field=f"charges[{last}].amount",
            )

    def _line(self, sku: str, index: int, seen: set[str]) -> SalesOrderLine:
        line = next((line for line in self.lines if line.sku == sku), None)
        if line is None:
            raise InvalidInput(f"{sku} is not on sales order {self.id}", field=f"lines[{index}].sku")
        if sku in seen:
            raise InvalidInput(f"{sku} appears twice", field=f"lines[{index}].sku")
        seen.add(sku)
        return line

    # -- reservation --------------------------------------------------------------------

    def confirm(self, book: StockBook) -> None:
        """Reserve every line or nothing (raises :class:`InsufficientStock`)."""
        book.reserve_all(self.warehouse, [(line.sku, line.qty) for line in self.lines])
        for line in self.lines:
            line.reserved = line.qty
        self.status = SalesOrderStatus.CONFIRMED
        self.hold_reason = None

    def hold(self, reason: str) -> None:
        self.status = SalesOrderStatus.ON_HOLD
        self.hold_reason = reason

    def approve(self, book: StockBook) -> None:
        if self.status != SalesOrderStatus.ON_HOLD:
            raise InvalidTransition(f"sales order {self.id} is {self.status}; only an order on hold can be approved")
        self.confirm(book)

    def cancel(self, book: StockBook) -> None:
        """Cancel, releasing whatever is reserved and not yet shipped."""
        if self.status not in OPEN_STATUSES:
            raise InvalidTransition(f"sales order {self.id} is {self.status} and cannot be cancelled")
        for line in self.lines:
            if line.reserved > 0:
                book.release(line.sku, self.warehouse, line.reserved)
                line.reserved = ZERO
        self.status = SalesOrderStatus.CANCELLED

    def reduce(self, lines: list[tuple[str, Decimal]], book: StockBook) -> list[tuple[str, Decimal, Decimal]]:
        """Lower lines to a new ordered quantity, releasing the reservation of the units taken off.

        Only units not yet shipped can come off, and every line is checked before any
        changes. Once everything left has shipped the order is shipped; with nothing left
        on any line it is cancelled. Says ``(sku, new quantity, removed)`` per line.
        """
        if self.status not in OPEN_STATUSES:
            raise InvalidTransition(f"sales order {self.id} is {self.status}; only an open order can be reduced")
        seen: set[str] = set()
        targets = []
        for i, (sku, qty) in enumerate(lines):
            line = self._line(sku, i, seen)
            if qty >= line.qty:
                raise InvalidInput(f"{sku}: {qty} is not less than the {line.qty} ordered", field=f"lines[{i}].qty")
            if qty < line.shipped:
                raise InvalidInput(
                    f"{sku}: {qty} is less than the {line.shipped} already shipped", field=f"lines[{i}].qty"
                )
            targets.append(line)
        reduced = []
        for line, (sku, qty) in zip(targets, lines, strict=True):
            removed = line.qty - qty
            # An order on hold reserved nothing; a confirmed one reserved every unshipped unit.
            release = min(line.reserved, removed)
            if release > 0:
                book.release(sku, self.warehouse, release)
                line.reserved -= release
            line.reduce_to(qty, self.currency)
            reduced.append((sku, qty, removed))
        self._total()
        if all(line.qty == 0 for line in self.lines):
            self.status = SalesOrderStatus.CANCELLED
        elif all(line.shipped == line.qty for line in self.lines):
            self.status = SalesOrderStatus.SHIPPED
        return reduced

    # -- shipments ------------------------------------------------------------------------

    def ship(self, lines: list[tuple[str, Decimal]], carrier: str | None, tracking: str | None) -> Shipment:
        """Validate a (partial) shipment and book it on the order's lines."""
        if self.status not in (SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIALLY_SHIPPED):
            raise InvalidTransition(f"sales order {self.id} is {self.status}; only confirmed orders ship")
        seen: set[str] = set()
        targets = []
        for i, (sku, qty) in enumerate(lines):
            line = self._line(sku, i, seen)
            if qty > line.unshipped:
                raise InvalidInput(
                    f"{sku}: shipping {qty} exceeds the {line.unshipped} not yet shipped", field=f"lines[{i}].qty"
                )
            targets.append(line)
        for line, (_sku, qty) in zip(targets, lines, strict=True):
            line.shipped += qty
            line.reserved -= qty
        done = all(line.shipped == line.qty for line in self.lines)
        self.status = SalesOrderStatus.SHIPPED if done else SalesOrderStatus.PARTIALLY_SHIPPED
        return Shipment(
            order_id=self.id or 0,
            warehouse=self.warehouse,
            lines=[ShipmentLine(sku, qty) for sku, qty in lines],
            carrier=carrier,
            tracking=tracking,
        )

    def post_shipment(self, shipment: Shipment, book: StockBook) -> None:
        """Move the shipped goods to the customer and record their cost of goods sold."""
        assert shipment.id is not None, "a shipment is posted once it has an id"
        for item in shipment.lines:
            move = book.ship(item.sku, self.warehouse, item.qty, Reference("shipment", shipment.id))
            item.cost = move.value
            self._line(item.sku, 0, set()).cogs += move.value

    # -- returns --------------------------------------------------------------------------

    def take_return(self, lines: list[tuple[str, Decimal, bool]]) -> SalesReturn:
        """Book goods coming back. One SKU may come back on two lines, one restocked and
        one scrapped; the same SKU twice with the same disposition is refused."""
        seen: set[tuple[str, bool]] = set()
        taking: dict[str, Decimal] = {}
        targets = []
        for i, (sku, qty, restock) in enumerate(lines):
            line = self._line(sku, i, set())
            if (sku, restock) in seen:
                raise InvalidInput(
                    f"{sku} appears twice as {'restocked' if restock else 'scrapped'}", field=f"lines[{i}].sku"
                )
            seen.add((sku, restock))
            taking[sku] = taking.get(sku, ZERO) + qty
            returnable = line.shipped - line.returned
            if taking[sku] > returnable:
                raise InvalidInput(
                    f"{sku}: returning {taking[sku]} exceeds the {returnable} shipped and not yet returned",
                    field=f"lines[{i}].qty",
                )
            targets.append(line)
        for line, (_sku, qty, _restock) in zip(targets, lines, strict=True):
            line.returned += qty
        return SalesReturn(
            order_id=self.id or 0,
            warehouse=self.warehouse,
            lines=[ReturnLine(sku, qty, restock) for sku, qty, restock in lines],
        )

    def post_return(self, ret: SalesReturn, book: StockBook) -> None:
        """Restock at the unit cost the goods left with, or scrap to inventory-loss."""
        assert ret.id is not None, "a return is posted once it has an id"
        for item in ret.lines:
            line = self._line(item.sku, 0, set())
            unit_cost = quantize(line.cogs / line.shipped) if line.shipped else ZERO
            move = book.take_back(
                item.sku, self.warehouse, item.qty, unit_cost, restock=item.restock, ref=Reference("return", ret.id)
            )
            item.cost = move.value
