"""Response bodies of receivables: invoices, credit notes, payments (money as decimal strings)."""

from __future__ import annotations

import datetime as dt

from hub.api.schemas import Out
from hub.core.numbers import Money, Quantity

__all__ = ["CreditNoteOut", "InvoiceOut", "PaymentOut"]


class InvoiceLineOut(Out):
    line_no: int
    #: Null on a shipping or discount line.
    sku: str | None
    #: goods, shipping or discount (a discount's unit_price and amounts are negative).
    kind: str
    #: A charge's description; null on goods.
    description: str | None
    qty: Quantity
    unit_price: Money
    #: An amount off a goods line: its share of the sales order line's discount.
    discount: Money
    tax_code: str | None
    tax_rate: Money
    net: Money
    tax: Money
    gross: Money
    #: Units given back by credit notes so far.
    credited_qty: Quantity


class InvoiceOut(Out):
    id: int
    number: str
    customer: str
    sales_order_id: int
    currency: str
    issue_date: dt.date
    due_date: dt.date
    status: str
    prices_include_tax: bool
    net_total: Money
    tax_total: Money
    total: Money
    #: Σ payments allocated; Σ credit notes (of which ``credit_applied`` reduced the amount due).
    paid: Money
    credited: Money
    credit_applied: Money
    amount_due: Money
    lines: list[InvoiceLineOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class CreditNoteLineOut(Out):
    line_no: int
    sku: str | None
    kind: str
    #: Units given back; null for a share of an amount credited.
    qty: Quantity | None
    tax_code: str | None
    tax_rate: Money
    net: Money
    tax: Money
    gross: Money


class CreditNoteOut(Out):
    id: int
    number: str
    invoice_id: int
    customer: str
    currency: str
    issue_date: dt.date
    reason: str
    #: The return that issued it, if one did.
    return_id: int | None
    net_total: Money
    tax_total: Money
    total: Money
    #: Taken off the invoice's amount due; the rest is the customer's credit.
    applied: Money
    unapplied: Money
    lines: list[CreditNoteLineOut]
    created_at: dt.datetime


class AllocationOut(Out):
    invoice_id: int
    amount: Money
    created_at: dt.datetime


class PaymentOut(Out):
    id: int
    number: str
    customer: str
    currency: str
    amount: Money
    date: dt.date
    method: str
    reference: str | None
    allocated: Money
    #: Customer credit left on this payment for later allocations.
    unallocated: Money
    allocations: list[AllocationOut]
    created_at: dt.datetime
