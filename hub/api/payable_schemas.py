"""Response bodies of the payables: supplier bills, supplier payments, expenses."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from pydantic import Field

from hub.api.schemas import Out
from hub.core.numbers import Money, Quantity

__all__ = ["BillLineOut", "BillOut", "ExpenseOut", "SupplierPaymentOut"]


class BillLineOut(Out):
    line_no: int
    sku: str
    qty: Quantity
    unit_cost: Money
    #: The purchase order's unit cost for the line, which the price was matched against.
    order_unit_cost: Money
    #: What the receipt valued a unit at (net of tax when the order's prices include it).
    received_unit_cost: Money
    tax_code: str | None
    tax_rate: Money
    net: Money
    tax: Money
    gross: Money


class BillOut(Out):
    id: int
    number: str
    supplier: str
    purchase_order_id: int
    supplier_reference: str
    currency: str
    date: dt.date
    due_date: dt.date
    prices_include_tax: bool
    status: str
    #: Why the bill is on hold (a unit cost off the order's past the tolerance); else null.
    hold_reason: str | None
    lines: list[BillLineOut]
    net_total: Money
    tax_total: Money
    total: Money
    amount_paid: Money
    amount_due: Money
    created_at: datetime
    updated_at: datetime


class BillAllocationOut(Out):
    bill_id: int
    amount: Money
    #: The day it was set against the bill: the payment's date, or the day a later allocation was made.
    date: dt.date


class SupplierPaymentOut(Out):
    id: int
    number: str
    supplier: str
    amount: Money
    currency: str
    date: dt.date
    method: str
    reference: str | None
    allocations: list[BillAllocationOut]
    #: What stays with the supplier as a prepayment.
    unallocated: Money
    created_at: datetime


class ExpenseOut(Out):
    id: int
    number: str
    category: str
    currency: str
    date: dt.date
    #: The tax-exclusive amount.
    amount: Money = Field(validation_alias="net")
    tax_code: str | None
    tax_rate: Money
    tax: Money
    total: Money
    supplier: str | None
    reference: str | None
    landed_on_receipt: int | None
    #: Landed: what the receipt's stock absorbed, and what went to cogs (goods no longer held).
    capitalised: Money
    expensed_to_cogs: Money
    created_at: datetime
