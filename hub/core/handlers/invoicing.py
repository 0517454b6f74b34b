"""Handlers for invoices and credit notes: issue, void, credit — each posting its journal entry.

Postings (``party`` is the customer on every ar and customer_credit line; revenue and
output tax are split by tax code)::

    invoice       Dr ar (total)                      Cr revenue (net)  Cr output_tax (tax)
    void          the invoice's entry reversed
    credit note   Dr revenue (net)  Dr output_tax    Cr ar (applied)   Cr customer_credit (the rest)

A shipping line's net goes to shipping_revenue instead of revenue, and a discount line's
(negative) net to discounts, as a debit; a credit note gives back each the same way.

Locks: the sales order before its invoices (as returns do), so issuing, voiding and
crediting from a return cannot deadlock one another.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from hub.core.crediting import CreditNote, CreditNoteLine, credit_amount, credit_units
from hub.core.errors import InvalidInput, NotFound
from hub.core.events import CreditedLine, CreditNoteIssued, InvoicedLine, InvoiceIssued, InvoiceVoided
from hub.core.handlers.finance import known_tax_rate, post_entry, today
from hub.core.invoicing import (
    REVENUE_ROLES,
    Invoice,
    InvoiceLine,
    billable,
    invoice_number,
    line_rate,
    pick_billable,
    unbilled_charges,
)
from hub.core.journal import Posting
from hub.core.ports import UnitOfWork
from hub.core.receivable_commands import NewCreditNote, NewInvoice
from hub.core.sales import SalesOrder, SalesOrderLine, SalesReturn, Shipment
from hub.core.tax import EXEMPT, TaxRate

__all__ = ["bill_shipment", "credit_return", "issue_credit_note", "issue_invoice", "void_invoice"]

#: Days to pay when the customer has no terms of its own.
DEFAULT_TERMS_DAYS = 30


async def issue_invoice(cmd: NewInvoice, uow: UnitOfWork) -> Invoice:
    """Bill what shipped and is not yet invoiced (all of it, or the lines named)."""
    order = await uow.sales_orders.get(cmd.sales_order, lock=True)
    if order is None:
        raise InvalidInput(f"sales order {cmd.sales_order} does not exist", field="sales_order")
    picks = pick_billable(order, None if cmd.lines is None else [(line.sku, line.qty) for line in cmd.lines])
    return await _bill(uow, order, picks)


async def bill_shipment(uow: UnitOfWork, order: SalesOrder, shipment: Shipment) -> Invoice | None:
    """The invoice of a shipment, issued with it (``HUB_AUTO_INVOICE``); the order is locked."""
    by_sku = {line.sku: line for line in order.lines}
    picks = [(by_sku[item.sku], min(item.qty, billable(by_sku[item.sku]))) for item in shipment.lines]
    picks = [(line, qty) for line, qty in picks if qty > 0]
    return await _bill(uow, order, picks) if picks else None


async def _rates(uow: UnitOfWork, codes: Sequence[str | None]) -> dict[str, TaxRate]:
    rates: dict[str, TaxRate] = {}
    for code in sorted({code for code in codes if code is not None}):
        rates[code] = EXEMPT if code == EXEMPT.code else await known_tax_rate(uow, code, "sales_order")
    return rates


async def _bill(uow: UnitOfWork, order: SalesOrder, picks: list[tuple[SalesOrderLine, Decimal]]) -> Invoice:
    customer = await uow.customers.get(order.customer)
    assert customer is not None, "a sales order's customer exists (foreign key)"
    products = await uow.products.get_many(line.sku for line, _ in picks)
    codes = [line_rate(line.tax_code, products[line.sku].tax_code, customer.tax_exempt) for line, _ in picks]
    charge_codes = [line_rate(charge.tax_code, None, customer.tax_exempt) for charge in unbilled_charges(order)]
    rates = await _rates(uow, [*codes, *charge_codes])
    issued = today().date()
    terms = customer.payment_terms_days if customer.payment_terms_days is not None else DEFAULT_TERMS_DAYS
    invoice = Invoice.bill(
        order,
        picks,
        rates,
        codes,
        charge_codes,
        number=invoice_number("INV", await uow.numbers.next("INV")),
        issue_date=issued,
        due_date=issued + timedelta(days=terms),
    )
    await uow.invoices.add(invoice)
    assert invoice.id is not None
    chart = await uow.accounts.chart()
    await post_entry(uow, _invoice_posting(invoice, sign=1).entry(chart, issued, _source(invoice), memo=invoice.number))
    uow.emit(
        InvoiceIssued(
            invoice_id=invoice.id,
            number=invoice.number,
            sales_order_id=invoice.sales_order_id,
            customer=invoice.customer,
            currency=invoice.currency,
            issue_date=invoice.issue_date.isoformat(),
            due_date=invoice.due_date.isoformat(),
            net_total=invoice.net_total,
            tax_total=invoice.tax_total,
            total=invoice.total,
            lines=[_invoiced(line) for line in invoice.lines],
        )
    )
    return invoice


def _invoiced(line: InvoiceLine) -> InvoicedLine:
    return InvoicedLine(
        sku=line.sku,
        kind=line.kind,
        description=line.description,
        qty=line.qty,
        unit_price=line.unit_price,
        discount=line.discount,
        tax_code=line.tax_code,
        tax_rate=f"{line.tax_rate.normalize():f}",
        net=line.net,
        tax=line.tax,
        gross=line.gross,
    )


def _source(invoice: Invoice) -> tuple[str, int]:
    return ("invoice", invoice.id or 0)


def _invoice_posting(invoice: Invoice, *, sign: int) -> Posting:
    """The invoice's entry (``sign`` 1), or its reversal (-1)."""
    posting = Posting(invoice.currency)
    posting.debit("ar", sign * invoice.total, party=invoice.customer)
    for line in invoice.lines:
        posting.credit(REVENUE_ROLES[line.kind], sign * line.net, tax_code=line.tax_code)
        posting.credit("output_tax", sign * line.tax, tax_code=line.tax_code)
    return posting


async def void_invoice(invoice_id: int, uow: UnitOfWork) -> Invoice:
    """Cancel an invoice with nothing paid or credited: its quantities are billable again."""
    found = await uow.invoices.get(invoice_id)
    if found is None:
        raise NotFound(f"invoice {invoice_id} does not exist")
    order = await uow.sales_orders.get(found.sales_order_id, lock=True)
    invoice = await uow.invoices.get(invoice_id, lock=True)
    assert order is not None and invoice is not None
    invoice.void(order)
    chart = await uow.accounts.chart()
    reverse = _invoice_posting(invoice, sign=-1)
    await post_entry(uow, reverse.entry(chart, today().date(), _source(invoice), memo=f"void {invoice.number}"))
    uow.emit(
        InvoiceVoided(
            invoice_id=invoice_id, number=invoice.number, sales_order_id=order.id or 0, customer=invoice.customer
        )
    )
    return invoice


async def issue_credit_note(cmd: NewCreditNote, uow: UnitOfWork) -> CreditNote:
    """Give back units of an invoice's lines, or an amount, applied to what it still has due."""
    invoice = await uow.invoices.get(cmd.invoice, lock=True)
    if invoice is None:
        raise InvalidInput(f"invoice {cmd.invoice} does not exist", field="invoice")
    if cmd.lines is not None:
        lines = credit_units(invoice, [(line.sku, line.qty) for line in cmd.lines])
    else:
        assert cmd.amount is not None
        lines = credit_amount(invoice, cmd.amount)
    return await _credit(uow, invoice, lines, cmd.reason)


async def credit_return(uow: UnitOfWork, order: SalesOrder, ret: SalesReturn) -> list[CreditNote]:
    """Credit notes for the returned units that were invoiced (the order is locked).

    Of a line's invoiced units not yet credited, those past what the customer still
    keeps (shipped − returned) come back, from the newest invoices first.
    """
    by_sku = {line.sku: line for line in order.lines}
    owed: dict[str, Decimal] = {}
    for sku in dict.fromkeys(item.sku for item in ret.lines):
        line = by_sku[sku]
        excess = (line.invoiced - line.credited) - (line.shipped - line.returned)
        if excess > 0:
            owed[sku] = excess
    if not owed:
        return []
    notes = []
    for invoice in reversed(await uow.invoices.of_order(order.id or 0, lock=True)):
        if invoice.status == "void":
            continue
        picks: list[tuple[str, Decimal]] = []
        for billed in invoice.lines:
            if billed.sku is None:  # a charge: returns give back goods only
                continue
            take = min(owed.get(billed.sku, Decimal(0)), billed.qty - billed.credited_qty)
            if take > 0:
                picks.append((billed.sku, take))
                owed[billed.sku] -= take
                by_sku[billed.sku].credited += take
        if picks:
            lines = credit_units(invoice, picks)
            notes.append(await _credit(uow, invoice, lines, f"return {ret.id}", return_id=ret.id))
    return notes


async def _credit(
    uow: UnitOfWork, invoice: Invoice, lines: list[CreditNoteLine], reason: str, *, return_id: int | None = None
) -> CreditNote:
    issued = today().date()
    note = CreditNote.against(
        invoice,
        lines,
        number=invoice_number("CN", await uow.numbers.next("CN")),
        issue_date=issued,
        reason=reason,
    )
    note.return_id = return_id
    await uow.credit_notes.add(note)
    assert note.id is not None
    posting = Posting(note.currency)
    for line in note.lines:
        posting.debit(REVENUE_ROLES[line.kind], line.net, tax_code=line.tax_code)
        posting.debit("output_tax", line.tax, tax_code=line.tax_code)
    posting.credit("ar", note.applied, party=note.customer)
    posting.credit("customer_credit", note.unapplied, party=note.customer)
    await post_entry(uow, posting.entry(await uow.accounts.chart(), issued, ("credit_note", note.id), memo=note.number))
    uow.emit(
        CreditNoteIssued(
            credit_note_id=note.id,
            number=note.number,
            invoice_id=note.invoice_id,
            customer=note.customer,
            currency=note.currency,
            reason=note.reason,
            return_id=note.return_id,
            net_total=note.net_total,
            tax_total=note.tax_total,
            total=note.total,
            applied=note.applied,
            unapplied=note.unapplied,
            lines=[
                CreditedLine(
                    sku=line.sku,
                    kind=line.kind,
                    qty=line.qty,
                    tax_code=line.tax_code,
                    net=line.net,
                    tax=line.tax,
                    gross=line.gross,
                )
                for line in note.lines
            ],
        )
    )
    return note
