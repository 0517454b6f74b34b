"""Supplier payments: money paid to a supplier, set against its bills.

A payment may be allocated across several open bills of its supplier, each up to what
is still due; what is not allocated stays with the supplier as a prepayment. Either
way the whole payment posts

    Dr ap   the amount (party: the supplier)     Cr bank   the amount

so the supplier's AP balance nets bills against everything paid, prepayments included.
A prepayment can be allocated to bills later; that moves nothing in the journal (the
supplier's AP already holds it), only what the bills have due.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hub.core.billing import Bill, BillStatus
from hub.core.errors import InvalidInput
from hub.core.journal import Posting
from hub.core.money import minor_unit, round_money
from hub.core.numbers import ZERO

__all__ = ["SupplierPayment", "SupplierPaymentAllocation", "allocate", "in_minor_units"]


@dataclass(eq=False)
class SupplierPaymentAllocation:
    bill_id: int
    amount: Decimal
    #: The day it was set against the bill: the payment's date for those made with it,
    #: the day it was made for a later one (what aging as at a past day counts).
    date: date | None = None
    line_no: int = 0
    id: int | None = None
    payment_id: int | None = None


@dataclass(eq=False)
class SupplierPayment:
    number: str
    supplier: str
    amount: Decimal
    currency: str
    date: date
    method: str
    reference: str | None
    allocations: list[SupplierPaymentAllocation]
    created_at: datetime | None = None
    id: int | None = None

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)

    @property
    def unallocated(self) -> Decimal:
        """What stays with the supplier as a prepayment."""
        return self.amount - self.allocated

    def posting(self) -> Posting:
        posting = Posting(self.currency)
        posting.debit("ap", self.amount, party=self.supplier)
        posting.credit("bank", self.amount)
        return posting


def in_minor_units(amount: Decimal, currency: str, field: str) -> None:
    """Refuse money finer than the currency's minor unit: a payment is never rounded."""
    if round_money(amount, currency) != amount:
        raise InvalidInput(
            f"{amount:f} has more decimal places than {currency} has ({minor_unit(currency)})", field=field
        )


def allocate(
    supplier: str,
    amount: Decimal,
    currency: str,
    wanted: Sequence[tuple[int, Decimal]],
    bills: Mapping[int, Bill],
    *,
    on: date,
    first_line: int = 1,
) -> list[SupplierPaymentAllocation]:
    """Set ``(bill id, amount)`` against ``bills`` (locked) on the day ``on``, up to ``amount``
    in all; validates every allocation before paying any."""
    in_minor_units(amount, currency, "amount")
    seen: set[int] = set()
    total = ZERO
    for i, (bill_id, part) in enumerate(wanted):
        field = f"allocations[{i}]"
        bill = bills.get(bill_id)
        if bill is None:
            raise InvalidInput(f"bill {bill_id} does not exist", field=f"{field}.bill")
        if bill_id in seen:
            raise InvalidInput(f"bill {bill.number} is allocated twice", field=f"{field}.bill")
        seen.add(bill_id)
        if bill.supplier != supplier:
            raise InvalidInput(f"bill {bill.number} is {bill.supplier}'s, not {supplier}'s", field=f"{field}.bill")
        if bill.status == BillStatus.ON_HOLD:
            raise InvalidInput(f"bill {bill.number} is on hold: approve it first", field=f"{field}.bill")
        if bill.currency != currency:
            raise InvalidInput(f"bill {bill.number} is in {bill.currency}, the payment in {currency}", field="currency")
        in_minor_units(part, currency, f"{field}.amount")
        if part > bill.amount_due:
            raise InvalidInput(
                f"{part:f} is more than the {bill.amount_due:f} due on bill {bill.number}", field=f"{field}.amount"
            )
        total += part
        if total > amount:
            raise InvalidInput(
                f"the allocations add up to more than the {amount:f} there is to allocate", field=f"{field}.amount"
            )
    allocations = []
    for i, (bill_id, part) in enumerate(wanted):
        bills[bill_id].pay(part)
        allocations.append(SupplierPaymentAllocation(bill_id=bill_id, amount=part, date=on, line_no=first_line + i))
    return allocations
