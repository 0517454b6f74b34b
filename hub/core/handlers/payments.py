"""Handlers for customer payments: take one in, allocate its credit to invoices later.

The invoices an allocation names are locked in id order before any is changed, so two
payments racing for one invoice queue on its row: the second sees what the first paid
and cannot take the invoice past its amount due. A later allocation locks its payment
first, then the invoices — the same order everywhere (documents, then their invoices).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hub.core.errors import InvalidInput, NotFound
from hub.core.events import Allocation, PaymentAllocated, PaymentReceived
from hub.core.handlers._refs import known
from hub.core.handlers.finance import post_entry, today
from hub.core.invoicing import Invoice, invoice_number
from hub.core.journal import Posting
from hub.core.money import round_money
from hub.core.payments import Payment, PaymentAllocation
from hub.core.ports import UnitOfWork
from hub.core.receivable_commands import AllocationIn, NewAllocations, NewPayment

__all__ = ["allocate_payment", "receive_payment"]


def _in_currency(amount: Decimal, currency: str, field: str) -> None:
    if amount != round_money(amount, currency):
        raise InvalidInput(f"{amount} has more decimal places than {currency} has", field=field)


async def _locked_invoices(uow: UnitOfWork, wanted: Sequence[AllocationIn], currency: str) -> dict[int, Invoice]:
    for i, allocation in enumerate(wanted):
        _in_currency(allocation.amount, currency, f"allocations[{i}].amount")
    return await uow.invoices.lock_many(allocation.invoice for allocation in wanted)


def _allocations(made: list[PaymentAllocation], invoices: dict[int, Invoice]) -> list[Allocation]:
    return [
        Allocation(
            invoice_id=a.invoice_id,
            amount=a.amount,
            amount_due=invoices[a.invoice_id].amount_due,
            status=invoices[a.invoice_id].status,
        )
        for a in made
    ]


async def receive_payment(cmd: NewPayment, uow: UnitOfWork) -> Payment:
    """Dr bank the amount / Cr ar what is allocated, Cr customer_credit the rest."""
    await known(uow.customers, cmd.customer, "customer", "customer")
    _in_currency(cmd.amount, cmd.currency, "amount")
    invoices = await _locked_invoices(uow, cmd.allocations, cmd.currency)
    payment = Payment(
        number=invoice_number("PAY", await uow.numbers.next("PAY")),
        customer=cmd.customer,
        currency=cmd.currency,
        amount=cmd.amount,
        date=cmd.date or today().date(),
        method=cmd.method,
        reference=cmd.reference,
    )
    made = payment.allocate([(a.invoice, a.amount) for a in cmd.allocations], invoices)
    await uow.payments.add(payment)
    assert payment.id is not None
    posting = Posting(payment.currency)
    posting.debit("bank", payment.amount)
    posting.credit("ar", payment.allocated, party=payment.customer)
    posting.credit("customer_credit", payment.unallocated, party=payment.customer)
    chart = await uow.accounts.chart()
    await post_entry(uow, posting.entry(chart, payment.date, ("payment", payment.id), memo=payment.number))
    uow.emit(
        PaymentReceived(
            payment_id=payment.id,
            number=payment.number,
            customer=payment.customer,
            currency=payment.currency,
            amount=payment.amount,
            date=payment.date.isoformat(),
            method=payment.method,
            reference=payment.reference,
            allocations=_allocations(made, invoices),
            unallocated=payment.unallocated,
        )
    )
    return payment


async def allocate_payment(payment_id: int, cmd: NewAllocations, uow: UnitOfWork) -> Payment:
    """Allocate a payment's remaining credit: Dr customer_credit / Cr ar."""
    payment = await uow.payments.get(payment_id, lock=True)
    if payment is None:
        raise NotFound(f"payment {payment_id} does not exist")
    invoices = await _locked_invoices(uow, cmd.allocations, payment.currency)
    made = payment.allocate([(a.invoice, a.amount) for a in cmd.allocations], invoices)
    total = sum((a.amount for a in made), Decimal(0))
    posting = Posting(payment.currency)
    posting.debit("customer_credit", total, party=payment.customer)
    posting.credit("ar", total, party=payment.customer)
    chart = await uow.accounts.chart()
    await post_entry(
        uow, posting.entry(chart, today().date(), ("payment", payment_id), memo=f"{payment.number} allocated")
    )
    uow.emit(
        PaymentAllocated(
            payment_id=payment_id,
            number=payment.number,
            customer=payment.customer,
            currency=payment.currency,
            allocations=_allocations(made, invoices),
            unallocated=payment.unallocated,
        )
    )
    return payment
