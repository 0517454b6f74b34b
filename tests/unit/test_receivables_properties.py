"""Receivables invariants under random sequences of sales, invoices, credits, returns and payments.

A hypothesis state machine sells (with shipping and order-level discounts) and ships,
invoices (all or part), voids, credits units or amounts, takes returns (restocked or
scrapped), takes payments with allocations and allocates customer credit later — through the real handlers on the
in-memory fakes. A refusal must leave the store exactly as it was. After every step
the documents and the journal must agree:

- every entry balances, and ``bank`` holds Σ payments;
- per customer, ``ar`` is Σ amount due of their invoices not void, and
  ``customer_credit`` is −(Σ payments unallocated + Σ credit notes unapplied);
- ``revenue``, ``shipping_revenue``, ``discounts`` and ``output_tax`` are what invoices not
  void billed less what was credited;
- an invoice's paid + credit applied + amount due is its total, none negative, and its
  status says so; no line is credited past its quantity, net or tax;
- an order line never has more invoiced than shipped, nor more credited than invoiced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from hub.core import handlers
from hub.core.commands import (
    ChargeIn,
    NewCustomer,
    NewProduct,
    NewReturn,
    NewSalesOrder,
    NewShipment,
    NewTaxRate,
    ReturnLineIn,
    SalesLine,
    ShipLine,
)
from hub.core.invoicing import REVENUE_ROLES, InvoiceStatus, LineKind
from hub.core.receivable_commands import (
    AllocationIn,
    CreditLineIn,
    NewAllocations,
    NewCreditNote,
    NewInvoice,
    NewPayment,
)
from hub.core.tax import EXEMPT
from tests.unit.support import StoreMachine, buy, seed

SKUS = ("TEA", "CUP")
CUSTOMERS = ("SHOP", "NGO")
CODES = (None, "VAT13", "LOW6")
ZERO = Decimal(0)

prices = st.integers(1, 20_000).map(lambda n: Decimal(n).scaleb(-3))  # 0.001 … 20.000: lines round
quantities = st.integers(1, 6).map(Decimal)
cents = st.integers(1, 5_000).map(lambda n: Decimal(n).scaleb(-2))


class ReceivablesMachine(StoreMachine):
    @initialize()
    def setup(self) -> None:
        async def master() -> None:
            await seed(self.store, skus=())
            await self.store.run(handlers.create_customer, NewCustomer(code="NGO", name="Exempt", tax_exempt=True))
            for code, rate in (("VAT13", "0.13"), ("LOW6", "0.06")):
                await self.store.run(handlers.create_tax_rate, NewTaxRate(code=code, name=code, rate=Decimal(rate)))
            for sku in SKUS:
                await self.store.run(handlers.create_product, NewProduct(sku=sku, name=sku, tax_code="LOW6"))
                await buy(self.store, sku, 10_000, 1)

        self.run(master())

    # -- rules --------------------------------------------------------------------------------

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), quantities, prices, st.sampled_from(CODES)),
            min_size=1,
            max_size=2,
            unique_by=lambda x: x[0],
        ),
        inclusive=st.booleans(),
        ship_all=st.booleans(),
        charges=st.lists(
            st.tuples(st.sampled_from(("shipping", "discount")), cents, st.sampled_from(CODES)), max_size=2
        ),
    )
    def sell_and_ship(
        self, customer: str, lines: list[Any], inclusive: bool, ship_all: bool, charges: list[Any]
    ) -> None:
        cmd = NewSalesOrder(
            customer=customer,
            warehouse="WH1",
            prices_include_tax=inclusive,
            lines=[SalesLine(sku=s, qty=q, unit_price=p, tax_code=c) for s, q, p, c in lines],
            charges=[ChargeIn(kind=k, description=k, amount=a, tax_code=c) for k, a, c in charges],
        )
        order = self.execute(handlers.create_sales_order, cmd)
        if order is None:  # discounts past the goods and shipping
            assert any(kind == "discount" for kind, _, _ in charges)
            return
        ship = [ShipLine(sku=s, qty=q if ship_all else max(Decimal(1), q - 2)) for s, q, _, _ in lines]
        assert self.execute(handlers.ship_sales_order, order.id, NewShipment(lines=ship)) is not None

    @precondition(lambda self: self.t.sales_orders)
    @rule(data=st.data(), part=st.booleans())
    def invoice(self, data: st.DataObject, part: bool) -> None:
        order = self.t.sales_orders[data.draw(st.sampled_from(sorted(self.t.sales_orders)))]
        lines = None
        if part:
            line = data.draw(st.sampled_from(order.lines))
            lines = [{"sku": line.sku, "qty": data.draw(quantities)}]
        self.execute(handlers.issue_invoice, NewInvoice.model_validate({"sales_order": order.id, "lines": lines}))

    @precondition(lambda self: self.t.invoices)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        self.execute(handlers.void_invoice, data.draw(st.sampled_from(sorted(self.t.invoices))))

    @precondition(lambda self: self.t.invoices)
    @rule(data=st.data(), by_amount=st.booleans())
    def credit(self, data: st.DataObject, by_amount: bool) -> None:
        invoice = self.t.invoices[data.draw(st.sampled_from(sorted(self.t.invoices)))]
        if by_amount:
            cmd = NewCreditNote(invoice=invoice.id, amount=data.draw(cents), reason="amount")
        else:
            sku = data.draw(st.sampled_from([line.sku for line in invoice.lines if line.sku is not None]))
            cmd = NewCreditNote(
                invoice=invoice.id, lines=[CreditLineIn(sku=sku, qty=data.draw(quantities))], reason="units"
            )
        self.execute(handlers.issue_credit_note, cmd)

    @precondition(lambda self: self.t.sales_orders)
    @rule(data=st.data(), restock=st.booleans(), split=st.booleans())
    def take_back(self, data: st.DataObject, restock: bool, split: bool) -> None:
        order = self.t.sales_orders[data.draw(st.sampled_from(sorted(self.t.sales_orders)))]
        line = data.draw(st.sampled_from(order.lines))
        lines = [ReturnLineIn(sku=line.sku, qty=Decimal(1), restock=restock)]
        if split:
            lines.append(ReturnLineIn(sku=line.sku, qty=Decimal(1), restock=not restock))
        self.execute(handlers.return_sales_order, order.id, NewReturn(lines=lines))

    @rule(data=st.data(), customer=st.sampled_from(CUSTOMERS), amount=cents)
    def pay(self, data: st.DataObject, customer: str, amount: Decimal) -> None:
        allocations = []
        if self.t.invoices and data.draw(st.booleans()):
            invoice = data.draw(st.sampled_from(sorted(self.t.invoices)))
            allocations = [AllocationIn(invoice=invoice, amount=data.draw(cents))]
        cmd = NewPayment(customer=customer, amount=amount, currency="USD", method="cash", allocations=allocations)
        self.execute(handlers.receive_payment, cmd)

    @precondition(lambda self: self.t.payments and self.t.invoices)
    @rule(data=st.data())
    def allocate(self, data: st.DataObject) -> None:
        payment = data.draw(st.sampled_from(sorted(self.t.payments)))
        invoice = data.draw(st.sampled_from(sorted(self.t.invoices)))
        wanted = NewAllocations(allocations=[AllocationIn(invoice=invoice, amount=data.draw(cents))])
        self.execute(handlers.allocate_payment, payment, wanted)

    # -- invariants ------------------------------------------------------------------------------

    def balance(self, role: str, party: str | None = None) -> Decimal:
        return sum(
            (
                line.debit - line.credit
                for entry in self.t.journal
                for line in entry.lines
                if line.role == role and (party is None or line.party == party)
            ),
            ZERO,
        )

    @invariant()
    def journal_agrees_with_the_documents(self) -> None:
        for entry in self.t.journal:
            assert sum((x.debit for x in entry.lines), ZERO) == sum((x.credit for x in entry.lines), ZERO)
        live = [i for i in self.t.invoices.values() if i.status != InvoiceStatus.VOID]
        assert self.balance("bank") == sum((p.amount for p in self.t.payments.values()), ZERO)
        for customer in CUSTOMERS:
            due = sum((i.amount_due for i in live if i.customer == customer), ZERO)
            assert self.balance("ar", customer) == due
            credit = sum((p.unallocated for p in self.t.payments.values() if p.customer == customer), ZERO)
            credit += sum((n.unapplied for n in self.t.credit_notes.values() if n.customer == customer), ZERO)
            assert self.balance("customer_credit", customer) == -credit
        billed = [line for i in live for line in i.lines]
        for kind, role in REVENUE_ROLES.items():
            left = sum((x.net - x.credited_net for x in billed if x.kind == kind), ZERO)
            assert self.balance(role) == -left
        assert self.balance("output_tax") == -sum((x.tax - x.credited_tax for x in billed), ZERO)

    @invariant()
    def documents_keep_their_limits(self) -> None:
        live = [i for i in self.t.invoices.values() if i.status != InvoiceStatus.VOID]
        for invoice in self.t.invoices.values():
            if invoice.status == InvoiceStatus.VOID:
                assert invoice.paid == invoice.credited == invoice.amount_due == 0
                continue
            assert invoice.paid + invoice.credit_applied + invoice.amount_due == invoice.total
            assert min(invoice.paid, invoice.credit_applied, invoice.amount_due) >= 0
            assert invoice.credited <= invoice.total
            expected = (
                InvoiceStatus.PAID
                if invoice.amount_due == 0
                else InvoiceStatus.OPEN
                if invoice.amount_due == invoice.total
                else InvoiceStatus.PARTIALLY_PAID
            )
            assert invoice.status == expected
            for line in invoice.lines:
                assert 0 <= line.credited_qty <= line.qty
                # A discount line's amounts are negative: what it credits is between them and zero.
                sign = -1 if line.kind == LineKind.DISCOUNT else 1
                assert 0 <= sign * line.credited_net <= sign * line.net
                assert 0 <= sign * line.credited_tax <= sign * line.tax
                assert (line.tax_code == EXEMPT.code) == (invoice.customer == "NGO")
        for order in self.t.sales_orders.values():
            assert order.total >= 0
            # Each charge is on one invoice not void, or on none and billable.
            billed = [x.charge_no for i in live if i.sales_order_id == order.id for x in i.lines if x.charge_no]
            assert sorted(billed) == [charge.line_no for charge in order.charges if charge.invoiced]
            for so_line in order.lines:
                assert 0 <= so_line.credited <= so_line.invoiced <= so_line.shipped


ReceivablesMachine.TestCase.settings = settings(suppress_health_check=[HealthCheck.too_slow])
TestReceivables = pytest.mark.timeout(600)(ReceivablesMachine.TestCase)
