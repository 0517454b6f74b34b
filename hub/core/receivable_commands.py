"""Commands of receivables: issue and void invoices, issue credit notes, take and allocate payments.

Kept beside :mod:`hub.core.commands` (same base and field rules) so that module stays
a readable size; amounts are checked against the currency's places by the handlers,
which know the document's currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from pydantic import ConfigDict, Field, field_validator, model_validator

from hub.core.commands import Command, Currency
from hub.core.errors import InvalidInput
from hub.core.fields import Amount, Code, DocumentRef, Name, PositiveQty

__all__ = [
    "AllocationIn",
    "CreditLineIn",
    "InvoiceLineIn",
    "NewAllocations",
    "NewCreditNote",
    "NewInvoice",
    "NewPayment",
]


def _positive(amount: object) -> object:
    if amount is not None and amount == 0:
        raise ValueError("must be more than 0")
    return amount


class InvoiceLineIn(Command):
    sku: Code
    qty: PositiveQty


class NewInvoice(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"sales_order": 1}, {"sales_order": 1, "lines": [{"sku": "TEA-LJ-250", "qty": 2}]}]
        }
    )

    sales_order: DocumentRef
    #: What to invoice; absent: everything shipped and not yet invoiced.
    lines: Annotated[list[InvoiceLineIn], Field(min_length=1, max_length=1000)] | None = None


class CreditLineIn(Command):
    sku: Code
    qty: PositiveQty


class NewCreditNote(Command):
    """Units of the invoice's lines (``lines``) or an amount, tax included (``amount``): one of the two."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"invoice": 1, "lines": [{"sku": "TEA-LJ-250", "qty": 1}], "reason": "damaged in transit"},
                {"invoice": 1, "amount": "5.00", "reason": "goodwill"},
            ]
        }
    )

    invoice: DocumentRef
    lines: Annotated[list[CreditLineIn], Field(min_length=1, max_length=1000)] | None = None
    amount: Amount | None = None
    reason: Name

    _amount_positive = field_validator("amount")(_positive)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.lines is None) == (self.amount is None):
            raise InvalidInput("give either lines or amount", field="lines" if self.lines is None else "amount")
        return self


class AllocationIn(Command):
    invoice: DocumentRef
    amount: Amount

    _amount_positive = field_validator("amount")(_positive)


class NewAllocations(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"allocations": [{"invoice": 1, "amount": "20.00"}]}]})

    allocations: Annotated[list[AllocationIn], Field(min_length=1, max_length=1000)]


class NewPayment(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customer": "TEAHOUSE",
                    "amount": "100.00",
                    "currency": "USD",
                    "date": "2026-12-07",
                    "method": "bank_transfer",
                    "reference": "TT-88812",
                    "allocations": [{"invoice": 1, "amount": "60.00"}],
                }
            ]
        }
    )

    customer: Code
    amount: Amount
    currency: Currency
    #: The day the money arrived (absent: today).
    date: dt.date | None = None
    method: Code
    reference: Name | None = None
    allocations: Annotated[list[AllocationIn], Field(max_length=1000)] = Field(default_factory=list)

    _amount_positive = field_validator("amount")(_positive)
