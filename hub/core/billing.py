"""Supplier bills, matched three ways: to the order, to what was received, and to its price.

    on_hold ──approve──▶ open ──payment──▶ partially_paid ──payment──▶ paid
       (price off)         ▲
    ───────────────────────┘ (price within tolerance)

A bill line may charge for no more than was accepted at receiving less what earlier
bills charged (:attr:`PurchaseOrderLine.billable`). A unit cost further from the
order's than the tolerance (``HUB_PRICE_TOLERANCE``, 2 % by default; exactly 2 % still
matches) puts the bill on hold, with the reason, until someone approves it: an on-hold
bill has claimed its quantities but posts nothing and cannot be paid.

Once open, the bill posts what the receipt left in goods-received-not-invoiced:

    Dr grni            qty × what the receipt valued a unit at (the order's unit
                       cost, net of tax when the order's prices include it)
    Dr price_variance  the bill's net − that
    Dr input_tax       the lines' tax
    Cr ap              the bill's total (party: the supplier)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from hub.core.errors import InvalidInput, InvalidTransition
from hub.core.journal import Posting
from hub.core.numbers import ZERO, quantize
from hub.core.purchasing import PurchaseOrder, PurchaseOrderStatus, stock_unit_cost
from hub.core.tax import TaxRate, price_line

__all__ = ["DEFAULT_TERMS_DAYS", "Bill", "BillLine", "BillStatus", "document_number", "due", "match_bill", "price_off"]

#: Days a bill falls due after its date when the supplier has no payment terms.
DEFAULT_TERMS_DAYS = 30


def document_number(series: str, n: int) -> str:
    """``BILL-000001``: a series' prefix and its gap-free number, six digits wide."""
    return f"{series}-{n:06d}"


class BillStatus(StrEnum):
    ON_HOLD = "on_hold"
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"


@dataclass(eq=False)
class BillLine:
    sku: str
    qty: Decimal
    unit_cost: Decimal
    #: The order line's unit cost, which the bill's price is matched against.
    order_unit_cost: Decimal
    #: What the receipt valued a unit at, and credited grni with: the order's unit cost,
    #: net of tax when the order's prices include it.
    received_unit_cost: Decimal
    tax_code: str | None
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    gross: Decimal
    line_no: int = 0
    id: int | None = None
    bill_id: int | None = None

    @property
    def grni(self) -> Decimal:
        """What this line clears from goods received not invoiced."""
        return quantize(self.qty * self.received_unit_cost)


@dataclass(eq=False)
class Bill:
    number: str
    supplier: str
    purchase_order_id: int
    supplier_reference: str
    currency: str
    date: dt.date
    due_date: dt.date
    prices_include_tax: bool
    lines: list[BillLine]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal = ZERO
    status: BillStatus = BillStatus.OPEN
    hold_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def amount_due(self) -> Decimal:
        return self.total - self.amount_paid

    def approve(self) -> None:
        if self.status != BillStatus.ON_HOLD:
            raise InvalidTransition(f"bill {self.number} is {self.status}; only a bill on hold can be approved")
        self.status = BillStatus.OPEN
        self.hold_reason = None

    def pay(self, amount: Decimal) -> None:
        """Take ``amount`` off what is due (the caller checked it is not more)."""
        self.amount_paid += amount
        self.status = BillStatus.PAID if self.amount_due == 0 else BillStatus.PARTIALLY_PAID

    def posting(self) -> Posting:
        """What the bill is worth to the books (see the module docstring)."""
        posting = Posting(self.currency)
        for line in self.lines:
            posting.debit("grni", line.grni)
            posting.debit("price_variance", line.net - line.grni)
            posting.debit("input_tax", line.tax, tax_code=line.tax_code)
        posting.credit("ap", self.total, party=self.supplier)
        return posting


def price_off(unit_cost: Decimal, order_cost: Decimal, tolerance: Decimal) -> bool:
    """Whether ``unit_cost`` is further from ``order_cost`` than ``tolerance`` (a fraction)."""
    if order_cost == 0:
        return unit_cost != 0
    return abs(unit_cost - order_cost) > tolerance * order_cost


def match_bill(
    order: PurchaseOrder,
    lines: Sequence[tuple[str, Decimal, Decimal]],
    rates: Mapping[str, TaxRate | None],
    tolerance: Decimal,
) -> tuple[list[BillLine], str | None]:
    """Match ``(sku, qty, unit_cost)`` lines to ``order``; the bill lines and why to hold, if so.

    ``rates`` gives each SKU's tax rate (the order line's; None: untaxed). Validates
    every line before it marks any quantity billed on the order.
    """
    if order.status in (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED):
        raise InvalidInput(
            f"purchase order {order.id} is {order.status}; only an approved or received order can be billed",
            field="purchase_order",
        )
    matched = []
    for i, (sku, qty, _cost) in enumerate(lines):
        line = order.line_for(sku)
        if line is None:
            raise InvalidInput(f"{sku} is not on purchase order {order.id}", field=f"lines[{i}].sku")
        if qty > line.billable:
            raise InvalidInput(
                f"{sku}: billing {qty} exceeds the {line.billable} accepted at receiving and not yet billed",
                field=f"lines[{i}].qty",
            )
        matched.append(line)
    bill_lines: list[BillLine] = []
    reasons: list[str] = []
    for i, (line, (sku, qty, unit_cost)) in enumerate(zip(matched, lines, strict=True)):
        line.billed += qty
        rate = rates.get(sku)
        fraction = rate.rate if rate else ZERO
        amounts = price_line(qty, unit_cost, fraction, order.currency, inclusive=order.prices_include_tax)
        bill_lines.append(
            BillLine(
                sku=sku,
                qty=qty,
                unit_cost=unit_cost,
                order_unit_cost=line.unit_cost,
                received_unit_cost=stock_unit_cost(line.unit_cost, fraction, order.prices_include_tax),
                tax_code=rate.code if rate else None,
                tax_rate=fraction,
                net=amounts.net,
                tax=amounts.tax,
                gross=amounts.gross,
                line_no=i + 1,
            )
        )
        if price_off(unit_cost, line.unit_cost, tolerance):
            reasons.append(f"{sku}: unit cost {unit_cost:f} is off the order's {line.unit_cost:f}")
    reason = None
    if reasons:
        reason = "; ".join(reasons) + f" by more than the {tolerance * 100:f} % tolerance"
    return bill_lines, reason


def due(on: date, terms_days: int | None) -> date:
    """The day a bill dated ``on`` falls due under the supplier's terms (30 days if none)."""
    return on + timedelta(days=DEFAULT_TERMS_DAYS if terms_days is None else terms_days)
