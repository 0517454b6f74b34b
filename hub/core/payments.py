"""Customer payments and their allocation to invoices.

A payment is money a customer paid in; its allocations say which invoices it settles.
What is not allocated is customer credit, which later allocations can use::

    received   Dr bank                Cr ar (allocated)   Cr customer_credit (the rest)
    allocated  Dr customer_credit     Cr ar

An allocation may not pass the invoice's amount due, nor the payment's unallocated
amount; it must be the same customer's invoice, in the payment's currency, not void.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from hub.core.errors import InvalidInput
from hub.core.invoicing import Invoice, InvoiceStatus
from hub.core.numbers import ZERO

__all__ = ["Payment", "PaymentAllocation"]


@dataclass(eq=False)
class PaymentAllocation:
    invoice_id: int
    amount: Decimal
    created_at: datetime | None = None
    id: int | None = None
    payment_id: int | None = None


@dataclass(eq=False)
class Payment:
    number: str
    customer: str
    currency: str
    amount: Decimal
    date: date
    method: str
    reference: str | None = None
    allocations: list[PaymentAllocation] = field(default_factory=list)
    allocated: Decimal = ZERO
    unallocated: Decimal = ZERO
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        self.unallocated = self.amount - self.allocated

    def allocate(
        self, wanted: Sequence[tuple[int, Decimal]], invoices: Mapping[int, Invoice], *, field: str = "allocations"
    ) -> list[PaymentAllocation]:
        """Settle invoices from the unallocated amount: all of ``wanted`` or nothing.

        ``invoices`` holds each named invoice, locked; raises :class:`InvalidInput`
        naming the offending allocation's field.
        """
        rest = self.unallocated
        for i, (invoice_id, amount) in enumerate(wanted):
            invoice = invoices.get(invoice_id)
            where = f"{field}[{i}]"
            if invoice is None:
                raise InvalidInput(f"invoice {invoice_id} does not exist", field=f"{where}.invoice")
            if invoice.customer != self.customer:
                raise InvalidInput(
                    f"invoice {invoice.number} is {invoice.customer}'s, not {self.customer}'s", field=f"{where}.invoice"
                )
            if invoice.status == InvoiceStatus.VOID:
                raise InvalidInput(f"invoice {invoice.number} is void", field=f"{where}.invoice")
            if invoice.currency != self.currency:
                raise InvalidInput(
                    f"invoice {invoice.number} is in {invoice.currency}, the payment in {self.currency}",
                    field=f"{where}.invoice",
                )
            if amount > rest:
                raise InvalidInput(
                    f"allocating {amount} exceeds the {rest} of payment {self.number} not yet allocated",
                    field=f"{where}.amount",
                )
            # Refuses an amount over what is due.
            invoice.pay(amount, f"{where}.amount")
            rest -= amount
        made = [PaymentAllocation(invoice_id=invoice_id, amount=amount) for invoice_id, amount in wanted]
        self.allocations.extend(made)
        self.allocated = self.amount - rest
        self.unallocated = rest
        return made
