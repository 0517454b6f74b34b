"""Receivables over the in-memory store: per-line tax rounding, credits that never pass what was
billed, allocations that never pass what is due, and the journal that says so."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.core import handlers
from hub.core.commands import (
    NewCustomer,
    NewReturn,
    NewSalesOrder,
    NewShipment,
    NewTaxRate,
    ReturnLineIn,
    SalesLine,
    ShipLine,
)
from hub.core.errors import InvalidInput, InvalidTransition
from hub.core.invoicing import Invoice, InvoiceStatus
from hub.core.receivable_commands import (
    AllocationIn,
    CreditLineIn,
    NewAllocations,
    NewCreditNote,
    NewInvoice,
    NewPayment,
)
from hub.core.sales import SalesOrder
from tests.fakes import FakeStore
from tests.unit.support import CUSTOMER, WH1, D, buy, event_types


async def _shipped(
    store: FakeStore,
    lines: list[tuple[str, str, str, str | None]],
    *,
    currency: str = "USD",
    customer: str = CUSTOMER,
    inclusive: bool = False,
) -> SalesOrder:
    """An order of ``(sku, qty, unit price, tax code)`` lines, shipped in full."""
    for sku, qty, _, _ in lines:
        await buy(store, sku, qty, 1)
    cmd = NewSalesOrder(
        customer=customer,
        warehouse=WH1,
        currency=currency,
        prices_include_tax=inclusive,
        lines=[SalesLine(sku=s, qty=D(q), unit_price=D(p), tax_code=c) for s, q, p, c in lines],
    )
    order = await store.run(handlers.create_sales_order, cmd)
    ship = NewShipment(lines=[ShipLine(sku=s, qty=D(q)) for s, q, _, _ in lines])
    await store.run(handlers.ship_sales_order, order.id, ship)
    return order


async def _invoice(store: FakeStore, *args: object, **kwargs: object) -> Invoice:
    order = await _shipped(store, *args, **kwargs)  # type: ignore[arg-type]
    return await store.run(handlers.issue_invoice, NewInvoice(sales_order=order.id))


def _balance(store: FakeStore, role: str, party: str | None = None) -> Decimal:
    return sum(
        (
            line.debit - line.credit
            for entry in store.tables.journal
            for line in entry.lines
            if line.role == role and (party is None or line.party == party)
        ),
        Decimal(0),
    )


@pytest.fixture
async def vat(store: FakeStore) -> FakeStore:
    await store.run(handlers.create_tax_rate, NewTaxRate(code="VAT13", name="VAT 13%", rate=D("0.13")))
    await store.run(handlers.create_tax_rate, NewTaxRate(code="JCT10", name="JCT 10%", rate=D("0.10")))
    return store


# -- tax per line -----------------------------------------------------------------------------------


async def test_tax_is_rounded_per_line_then_summed(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "3", "0.335", "VAT13"), ("CUP", "1", "0.335", "VAT13")])
    # 3 × 0.335 = 1.005 → 1.01, tax 0.1313 → 0.13; 1 × 0.335 → 0.34, tax 0.0442 → 0.04.
    assert [(line.net, line.tax, line.gross) for line in invoice.lines] == [
        (D("1.01"), D("0.13"), D("1.14")),
        (D("0.34"), D("0.04"), D("0.38")),
    ]
    # Σ line taxes 0.17, not the tax of the net total (1.35 × 0.13 = 0.1755 → 0.18).
    assert (invoice.net_total, invoice.tax_total, invoice.total) == (D("1.35"), D("0.17"), D("1.52"))
    assert invoice.number == "INV-000001" and invoice.status == InvoiceStatus.OPEN


async def test_yen_has_no_minor_unit(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "3", "333.5", "JCT10")], currency="JPY")
    # 3 × 333.5 = 1000.5 → 1001; tax 100.1 → 100.
    assert [(line.net, line.tax, line.gross) for line in invoice.lines] == [(D(1001), D(100), D(1101))]
    [entry] = [e for e in vat.tables.journal if e.source_type == "invoice"]
    assert entry.currency == "JPY" and entry.total == D(1101)


async def test_inclusive_prices_take_the_tax_out(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "1", "11.30", "VAT13"), ("CUP", "1", "1", "VAT13")], inclusive=True)
    # 1 × 0.13 ÷ 1.13 = 0.11504… → 0.12, net 0.88.
    assert [(line.net, line.tax, line.gross) for line in invoice.lines] == [
        (D("10.00"), D("1.30"), D("11.30")),
        (D("0.88"), D("0.12"), D("1.00")),
    ]


async def test_an_exempt_customer_pays_no_tax(vat: FakeStore) -> None:
    await vat.run(handlers.create_customer, NewCustomer(code="NGO", name="Charity", tax_exempt=True))
    invoice = await _invoice(vat, [("TEA", "2", "10", "VAT13")], customer="NGO")
    assert [(line.tax_code, line.tax) for line in invoice.lines] == [("EXEMPT", D(0))]


# -- invoicing what shipped --------------------------------------------------------------------------


async def test_only_what_shipped_and_is_not_invoiced_is_billed(vat: FakeStore) -> None:
    await buy(vat, "TEA", 10, 1)
    cmd = NewSalesOrder(customer=CUSTOMER, warehouse=WH1, lines=[SalesLine(sku="TEA", qty=D(5), unit_price=D(2))])
    order = await vat.run(handlers.create_sales_order, cmd)
    with pytest.raises(InvalidTransition):
        await vat.run(handlers.issue_invoice, NewInvoice(sales_order=order.id))
    await vat.run(handlers.ship_sales_order, order.id, NewShipment(lines=[ShipLine(sku="TEA", qty=D(2))]))
    invoice = await vat.run(handlers.issue_invoice, NewInvoice(sales_order=order.id))
    assert [(line.sku, line.qty) for line in invoice.lines] == [("TEA", D(2))]
    assert vat.tables.sales_orders[order.id].lines[0].invoiced == 2
    with pytest.raises(InvalidTransition):
        await vat.run(handlers.issue_invoice, NewInvoice(sales_order=order.id))


async def test_void_needs_nothing_paid_and_gives_the_quantities_back(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "2", "5", None)])
    await vat.run(handlers.void_invoice, invoice.id)
    assert vat.tables.invoices[invoice.id].status == InvoiceStatus.VOID
    assert _balance(vat, "ar") == 0 and _balance(vat, "revenue") == 0
    again = await vat.run(handlers.issue_invoice, NewInvoice(sales_order=invoice.sales_order_id))
    pay = NewPayment(
        customer=CUSTOMER,
        amount=D(1),
        currency="USD",
        method="cash",
        allocations=[AllocationIn(invoice=again.id, amount=D(1))],
    )
    await vat.run(handlers.receive_payment, pay)
    with pytest.raises(InvalidTransition):
        await vat.run(handlers.void_invoice, again.id)


# -- credit notes -----------------------------------------------------------------------------------


async def test_credits_in_pieces_add_up_to_the_line_exactly(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "3", "0.335", "VAT13")])  # 1.01 + 0.13
    notes = []
    for _ in range(3):
        cmd = NewCreditNote(invoice=invoice.id, lines=[CreditLineIn(sku="TEA", qty=D(1))], reason="one back")
        notes.append(await vat.run(handlers.issue_credit_note, cmd))
    # 0.34 + 0.34 + what is left (0.33): three single units priced alone would credit 1.02.
    assert [(n.net_total, n.tax_total) for n in notes] == [
        (D("0.34"), D("0.04")),
        (D("0.34"), D("0.04")),
        (D("0.33"), D("0.05")),
    ]
    assert _balance(vat, "revenue") == 0 and _balance(vat, "output_tax") == 0 and _balance(vat, "ar") == 0
    with pytest.raises(InvalidInput) as refused:
        await vat.run(handlers.issue_credit_note, NewCreditNote(invoice=invoice.id, amount=D("0.01"), reason="more"))
    assert refused.value.field == "amount"


async def test_an_amount_mixed_with_units_never_credits_past_a_line(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "2", "1.00", "VAT13"), ("CUP", "1", "0.01", "VAT13")])  # 2.26 + 0.01
    await vat.run(handlers.issue_credit_note, NewCreditNote(invoice=invoice.id, amount=D("1.00"), reason="part"))
    lines = [CreditLineIn(sku="TEA", qty=D(2)), CreditLineIn(sku="CUP", qty=D(1))]
    rest = await vat.run(handlers.issue_credit_note, NewCreditNote(invoice=invoice.id, lines=lines, reason="rest"))
    assert rest.total == D("1.27")
    billed = vat.tables.invoices[invoice.id]
    assert all(line.creditable == 0 and line.credited_tax == line.tax for line in billed.lines)
    assert billed.credited == billed.total and billed.amount_due == 0


async def test_a_return_credits_the_invoiced_units_it_brings_back(vat: FakeStore) -> None:
    invoice = await _invoice(vat, [("TEA", "4", "5", None)])
    since = len(vat.events)
    back = NewReturn(
        lines=[ReturnLineIn(sku="TEA", qty=D(1), restock=True), ReturnLineIn(sku="TEA", qty=D(1), restock=False)]
    )
    ret = await vat.run(handlers.return_sales_order, invoice.sales_order_id, back)
    [note] = vat.tables.credit_notes.values()
    assert (note.return_id, note.total, note.applied) == (ret.id, D(10), D(10))
    assert "credit_note.issued" in event_types(vat, since)
    line = vat.tables.sales_orders[invoice.sales_order_id].lines[0]
    assert (line.returned, line.invoiced, line.credited) == (D(2), D(4), D(2))


# -- payments -------------------------------------------------------------------------------------


async def test_allocations_never_pass_what_is_due_or_paid_and_ar_is_what_is_open(vat: FakeStore) -> None:
    first = await _invoice(vat, [("TEA", "1", "10", None)])
    second = await _invoice(vat, [("CUP", "1", "20", None)])

    def paying(amount: str, *allocations: tuple[int | None, str]) -> NewPayment:
        wanted = [AllocationIn(invoice=i, amount=D(a)) for i, a in allocations]
        return NewPayment(customer=CUSTOMER, amount=D(amount), currency="USD", method="cash", allocations=wanted)

    for bad, field in [
        (paying("30", (first.id, "10.01")), "allocations[0].amount"),
        (paying("15", (first.id, "10"), (second.id, "5.01")), "allocations[1].amount"),
        (paying("5", (first.id, "1"), (first.id, "4"), (first.id, "1")), "allocations[2].amount"),
        (paying("10.001"), "amount"),
    ]:
        before = vat.version
        with pytest.raises(InvalidInput) as refused:
            await vat.run(handlers.receive_payment, bad)
        assert refused.value.field == field and vat.version == before
    paid = await vat.run(handlers.receive_payment, paying("25", (first.id, "10"), (second.id, "5")))
    assert (paid.number, paid.unallocated) == ("PAY-000001", D(10))
    assert vat.tables.invoices[first.id].status == InvoiceStatus.PAID
    assert vat.tables.invoices[second.id].status == InvoiceStatus.PARTIALLY_PAID
    later = await vat.run(
        handlers.allocate_payment, paid.id, NewAllocations(allocations=[AllocationIn(invoice=second.id, amount=D(10))])
    )
    assert later.unallocated == 0 and vat.tables.invoices[second.id].amount_due == 5
    open_due = sum((i.amount_due for i in vat.tables.invoices.values()), Decimal(0))
    assert _balance(vat, "ar", CUSTOMER) == open_due == 5
    assert _balance(vat, "customer_credit", CUSTOMER) == -10 + 10  # received 10 unallocated, then used
    assert all(e.total == sum((x.credit for x in e.lines), Decimal(0)) for e in vat.tables.journal)


async def test_an_invoice_with_units_credited_cannot_be_voided_even_at_zero(vat: FakeStore) -> None:
    # Found by the state machine: 1 × 0.001 bills 0.00, so its return's credit note carries no amount.
    invoice = await _invoice(vat, [("TEA", "1", "0.001", None)])
    back = NewReturn(lines=[ReturnLineIn(sku="TEA", qty=D(1), restock=False)])
    await vat.run(handlers.return_sales_order, invoice.sales_order_id, back)
    assert [note.total for note in vat.tables.credit_notes.values()] == [D(0)]
    with pytest.raises(InvalidTransition):
        await vat.run(handlers.void_invoice, invoice.id)
