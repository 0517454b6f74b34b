"""Commands of payables: enter and approve supplier bills, pay suppliers, record expenses.

Kept beside :mod:`hub.core.commands` (same base and field rules), as the receivables'
are, so that module stays a readable size. Amounts are checked against the currency's
places by the handlers, which know the document's currency.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from hub.core.commands import Command, Currency, unique_skus, within_amount_limit
from hub.core.fields import Code, DocumentRef, ExternalId, IsoDate, PositiveAmount, PositiveQty, Price

__all__ = ["BillAllocationIn", "BillLineIn", "NewBill", "NewBillAllocations", "NewExpense", "NewSupplierPayment"]


class BillLineIn(Command):
    sku: Code
    qty: PositiveQty
    unit_cost: Price


class NewBill(Command):
    """A supplier's bill for goods received against a purchase order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "purchase_order": 1,
                    "supplier_reference": "LJ-2026-0042",
                    "date": "2026-12-07",
                    "lines": [{"sku": "TEA-LJ-250", "qty": 96, "unit_cost": "38.00"}],
                }
            ]
        }
    )

    purchase_order: DocumentRef
    #: The supplier's own number for the bill: one bill per number per supplier.
    supplier_reference: ExternalId
    date: IsoDate
    lines: Annotated[list[BillLineIn], Field(min_length=1, max_length=1000)]

    @model_validator(mode="after")
    def _within_limits(self) -> Self:
        unique_skus(self.lines)  # type: ignore[arg-type]
        within_amount_limit(self.lines, "unit_cost")
        return self


class BillAllocationIn(Command):
    bill: DocumentRef
    amount: PositiveAmount


class NewSupplierPayment(Command):
    """Money paid to a supplier, set against its bills; what is left over is a prepayment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "supplier": "LONGJING",
                    "amount": "3000.00",
                    "currency": "USD",
                    "date": "2026-12-07",
                    "method": "bank_transfer",
                    "reference": "TT-88123",
                    "allocations": [{"bill": 1, "amount": "2500.00"}],
                }
            ]
        }
    )

    supplier: Code
    amount: PositiveAmount
    currency: Currency
    date: IsoDate
    method: Code
    reference: ExternalId | None = None
    allocations: Annotated[list[BillAllocationIn], Field(default_factory=list, max_length=1000)]


class NewBillAllocations(Command):
    """More of a payment set against bills: what it left as a prepayment."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"allocations": [{"bill": 2, "amount": "500.00"}]}]})

    allocations: Annotated[list[BillAllocationIn], Field(min_length=1, max_length=1000)]


class NewExpense(Command):
    """A cost that is not goods: freight, storage, selling, admin …"""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "freight",
                    "amount": "120.00",
                    "tax_code": "VAT9",
                    "date": "2026-12-07",
                    "supplier": "SF-EXPRESS",
                    "reference": "SF-7731",
                    "landed_on_receipt": 1,
                }
            ]
        }
    )

    category: Code
    #: Tax-exclusive.
    amount: PositiveAmount
    tax_code: Code | None = None
    date: IsoDate
    #: Who billed it (posted to accounts payable); none: paid from the bank.
    supplier: Code | None = None
    reference: ExternalId | None = None
    #: A receipt whose stock absorbs the cost (freight in): capitalised, not expensed.
    landed_on_receipt: DocumentRef | None = None
