"""Purchasing: purchase orders, and receipts with inspection.

    draft ──approve──▶ approved ──receipt──▶ partially_received ──receipt──▶ received
      └──────────────────┴──────────cancel───────────┴──▶ cancelled

A receipt states, per line, what passed inspection (``accepted``: moves supplier →
warehouse at the line's unit cost) and what did not (``rejected``: recorded on the
receipt, goes back to the supplier, and stays outstanding on the order).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from hub.core.errors import InvalidInput, InvalidTransition
from hub.core.ledger import Reference, StockBook
from hub.core.numbers import ZERO, quantize

__all__ = [
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderStatus",
    "Receipt",
    "ReceiptLine",
    "stock_unit_cost",
]


def stock_unit_cost(unit_cost: Decimal, rate: Decimal, inclusive: bool) -> Decimal:
    """What a unit bought at ``unit_cost`` adds to stock value: the cost less its tax when
    the order's prices include tax — input tax is reclaimed, not part of the goods' cost."""
    return quantize(unit_cost / (1 + rate)) if inclusive and rate else unit_cost


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


@dataclass(eq=False)
class PurchaseOrderLine:
    sku: str
    qty: Decimal
    unit_cost: Decimal
    accepted: Decimal = ZERO
    rejected: Decimal = ZERO
    line_no: int = 0
    id: int | None = None
    order_id: int | None = None
    #: The line's tax rate: the one ordered with, else the product's when ordered; None: untaxed.
    tax_code: str | None = None
    #: How much of what was accepted supplier bills have charged for (3-way match).
    billed: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return self.qty - self.accepted

    @property
    def billable(self) -> Decimal:
        """Accepted at receiving and not yet billed."""
        return self.accepted - self.billed


@dataclass(eq=False)
class ReceiptLine:
    sku: str
    accepted: Decimal
    rejected: Decimal
    unit_cost: Decimal
    id: int | None = None
    receipt_id: int | None = None


@dataclass(eq=False)
class Receipt:
    """Goods that arrived against a purchase order, as inspected."""

    order_id: int
    warehouse: str
    lines: list[ReceiptLine]
    created_at: datetime | None = None
    id: int | None = None

    def post(self, book: StockBook) -> None:
        """Move what was accepted from the supplier into the warehouse."""
        assert self.id is not None, "a receipt is posted once it has an id"
        for line in self.lines:
            if line.accepted > 0:
                book.receive(line.sku, self.warehouse, line.accepted, line.unit_cost, Reference("receipt", self.id))


@dataclass(eq=False)
class PurchaseOrder:
    supplier: str
    warehouse: str
    lines: list[PurchaseOrderLine]
    currency: str = "USD"
    status: PurchaseOrderStatus = PurchaseOrderStatus.DRAFT
    prices_include_tax: bool = False
    expected_date: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def total(self) -> Decimal:
        return quantize(sum((line.qty * line.unit_cost for line in self.lines), ZERO))

    def line_for(self, sku: str) -> PurchaseOrderLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    def approve(self) -> None:
        if self.status != PurchaseOrderStatus.DRAFT:
            raise InvalidTransition(f"purchase order {self.id} is {self.status}; only a draft can be approved")
        self.status = PurchaseOrderStatus.APPROVED

    def cancel(self) -> None:
        """Cancel the order, or what is still outstanding of a partially received one."""
        if self.status in (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED):
            raise InvalidTransition(f"purchase order {self.id} is {self.status} and cannot be cancelled")
        self.status = PurchaseOrderStatus.CANCELLED

    def receive(self, lines: list[tuple[str, Decimal, Decimal]], rates: Mapping[str, Decimal] | None = None) -> Receipt:
        """Record a receipt of ``(sku, accepted, rejected)`` lines; validates all first.

        ``rates`` (each line's tax rate by SKU) value the goods net of tax when the
        order's prices include it (:func:`stock_unit_cost`)."""
        if self.status not in (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED):
            raise InvalidTransition(f"purchase order {self.id} is {self.status}; only approved orders can be received")
        seen: set[str] = set()
        targets: list[PurchaseOrderLine] = []
        for i, (sku, accepted, rejected) in enumerate(lines):
            line = self.line_for(sku)
            if line is None:
                raise InvalidInput(f"{sku} is not on purchase order {self.id}", field=f"lines[{i}].sku")
            if sku in seen:
                raise InvalidInput(f"{sku} appears twice in this receipt", field=f"lines[{i}].sku")
            seen.add(sku)
            if accepted > line.outstanding:
                raise InvalidInput(
                    f"{sku}: accepting {accepted} exceeds the {line.outstanding} still outstanding",
                    field=f"lines[{i}].accepted",
                )
            if rejected > line.outstanding - accepted:
                raise InvalidInput(
                    f"{sku}: {accepted} accepted + {rejected} rejected exceeds the {line.outstanding} outstanding",
                    field=f"lines[{i}].rejected",
                )
            targets.append(line)
        receipt_lines = []
        for line, (_sku, accepted, rejected) in zip(targets, lines, strict=True):
            line.accepted += accepted
            line.rejected += rejected
            rate = (rates or {}).get(line.sku, ZERO)
            cost = stock_unit_cost(line.unit_cost, rate, self.prices_include_tax)
            receipt_lines.append(ReceiptLine(line.sku, accepted, rejected, cost))
        if all(line.outstanding == 0 for line in self.lines):
            self.status = PurchaseOrderStatus.RECEIVED
        elif any(line.accepted > 0 for line in self.lines):
            self.status = PurchaseOrderStatus.PARTIALLY_RECEIVED
        return Receipt(order_id=self.id or 0, warehouse=self.warehouse, lines=receipt_lines)
