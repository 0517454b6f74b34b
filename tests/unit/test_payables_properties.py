"""Payables invariants under random sequences of receipts, bills, approvals, supplier payments and expenses.

A hypothesis state machine buys and receives (in part or in full), bills what was received
(at the order's cost, within the tolerance, or past it — held), approves held bills, pays
suppliers with allocations and allocates prepayments later, records expenses (from a
supplier or paid at once, some landed on a receipt) and sells some stock — through the
real handlers on the in-memory fakes. A refusal must leave the store exactly as it was.
After every step the documents and the journal must agree:

- every entry balances;
- per supplier, ``ap`` is Σ amount due of its bills not on hold + Σ its expenses
  − Σ its payments' unallocated amounts (a prepayment is a debit on AP);
- ``grni`` is what was received and not yet billed by a posted bill, at the receipt's cost;
- ``bank`` is −(Σ supplier payments + Σ expenses paid at once);
- the inventory account is Σ stock value (landed costs included);
- a bill's paid never passes its total and its status says so; a purchase order line is
  never billed past what was accepted.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from hub.core import handlers
from hub.core.billing import BillStatus
from hub.core.commands import (
    NewProduct,
    NewPurchaseOrder,
    NewReceipt,
    NewSalesOrder,
    NewShipment,
    NewSupplier,
    NewTaxRate,
    PurchaseLine,
    ReceiptLineIn,
    SalesLine,
    ShipLine,
)
from hub.core.payable_commands import (
    BillAllocationIn,
    BillLineIn,
    NewBill,
    NewBillAllocations,
    NewExpense,
    NewSupplierPayment,
)
from tests.unit.support import StoreMachine, seed

SKUS = ("TEA", "CUP")
SUPPLIERS = ("ACME", "XIHU")
TOLERANCE = Decimal("0.02")
TODAY = date(2026, 12, 7)
ZERO = Decimal(0)

costs = st.integers(100, 2_000).map(lambda n: Decimal(n).scaleb(-2))  # 1.00 … 20.00
quantities = st.integers(1, 8).map(Decimal)
cents = st.integers(1, 20_000).map(lambda n: Decimal(n).scaleb(-2))
#: How far a bill's unit cost is from the order's: on it, within 2 %, or past it (held).
drift = st.sampled_from(("0", "0.01", "0.02", "-0.02", "0.05", "-0.30"))


class PayablesMachine(StoreMachine):
    def __init__(self) -> None:
        super().__init__()
        self.references = 0

    @initialize()
    def setup(self) -> None:
        async def master() -> None:
            await seed(self.store, skus=())
            await self.store.run(handlers.create_supplier, NewSupplier(code="XIHU", name="Xihu Tea"))
            await self.store.run(handlers.create_tax_rate, NewTaxRate(code="VAT13", name="VAT", rate=Decimal("0.13")))
            for sku in SKUS:
                await self.store.run(handlers.create_product, NewProduct(sku=sku, name=sku))

        self.run(master())

    # -- rules --------------------------------------------------------------------------------

    @rule(
        supplier=st.sampled_from(SUPPLIERS),
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), quantities, costs, st.booleans()),
            min_size=1,
            max_size=2,
            unique_by=lambda x: x[0],
        ),
        whole=st.booleans(),
    )
    def buy_and_receive(self, supplier: str, lines: list[Any], whole: bool) -> None:
        order = self.execute(
            handlers.create_purchase_order,
            NewPurchaseOrder(
                supplier=supplier,
                warehouse="WH1",
                lines=[
                    PurchaseLine(sku=s, qty=q, unit_cost=c, tax_code="VAT13" if taxed else None)
                    for s, q, c, taxed in lines
                ],
            ),
        )
        assert order is not None
        assert self.execute(handlers.approve_purchase_order, order.id) is not None
        accepted = [ReceiptLineIn(sku=s, accepted=q if whole else max(Decimal(1), q - 3)) for s, q, _, _ in lines]
        assert self.execute(handlers.receive_purchase_order, order.id, NewReceipt(lines=accepted)) is not None

    @precondition(lambda self: self.t.purchase_orders)
    @rule(data=st.data(), off=drift, extra=st.integers(0, 2))
    def bill(self, data: st.DataObject, off: str, extra: int) -> None:
        order = data.draw(st.sampled_from(sorted(self.t.purchase_orders.values(), key=lambda o: o.id or 0)))
        line = data.draw(st.sampled_from(order.lines))
        # Sometimes more than is left to bill: refused, writing nothing.
        qty = max(Decimal(1), line.accepted - line.billed) + (extra if extra == 2 else 0)
        cost = (line.unit_cost * (1 + Decimal(off))).quantize(Decimal("0.01"))
        self.references += 1
        cmd = NewBill(
            purchase_order=order.id,
            supplier_reference=f"REF-{self.references}",
            date=TODAY,
            lines=[BillLineIn(sku=line.sku, qty=qty, unit_cost=cost)],
        )
        self.execute(functools.partial(handlers.create_bill, tolerance=TOLERANCE), cmd)

    @precondition(lambda self: any(b.status == BillStatus.ON_HOLD for b in self.t.bills.values()))
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        held = sorted(b.id for b in self.t.bills.values() if b.status == BillStatus.ON_HOLD)
        assert self.execute(handlers.approve_bill, data.draw(st.sampled_from(held))) is not None

    @rule(data=st.data(), supplier=st.sampled_from(SUPPLIERS), amount=cents, parts=st.integers(0, 2))
    def pay(self, data: st.DataObject, supplier: str, amount: Decimal, parts: int) -> None:
        allocations = []
        bills = sorted(self.t.bills.values(), key=lambda b: b.id or 0)
        for _ in range(parts if bills else 0):
            bill = data.draw(st.sampled_from(bills))
            allocations.append(BillAllocationIn(bill=bill.id, amount=data.draw(cents)))
        cmd = NewSupplierPayment(
            supplier=supplier, amount=amount, currency="USD", date=TODAY, method="bank", allocations=allocations
        )
        self.execute(handlers.pay_supplier, cmd)

    @precondition(lambda self: self.t.supplier_payments and self.t.bills)
    @rule(data=st.data(), amount=cents)
    def allocate_later(self, data: st.DataObject, amount: Decimal) -> None:
        payment = data.draw(st.sampled_from(sorted(self.t.supplier_payments.values(), key=lambda p: p.id or 0)))
        bill = data.draw(st.sampled_from(sorted(self.t.bills.values(), key=lambda b: b.id or 0)))
        cmd = NewBillAllocations(allocations=[BillAllocationIn(bill=bill.id, amount=amount)])
        self.execute(handlers.allocate_supplier_payment, payment.id, cmd)

    @rule(
        data=st.data(),
        category=st.sampled_from(("freight", "storage")),
        amount=cents,
        supplier=st.sampled_from((None, *SUPPLIERS)),
        taxed=st.booleans(),
        landed=st.booleans(),
    )
    def expense(
        self, data: st.DataObject, category: str, amount: Decimal, supplier: str | None, taxed: bool, landed: bool
    ) -> None:
        receipt = None
        if landed and category == "freight" and self.t.receipts:
            receipt = data.draw(st.sampled_from(sorted(self.t.receipts)))
        cmd = NewExpense(
            category=category,
            amount=amount,
            tax_code="VAT13" if taxed else None,
            date=TODAY,
            supplier=supplier,
            landed_on_receipt=receipt,
        )
        assert self.execute(handlers.record_expense, cmd) is not None

    @precondition(lambda self: self.t.receipts)
    @rule(sku=st.sampled_from(SKUS), qty=quantities)
    def sell(self, sku: str, qty: Decimal) -> None:
        # Goods leave, so a later landed cost is partly absorbed and partly cost of sales.
        cmd = NewSalesOrder(
            customer="SHOP", warehouse="WH1", lines=[SalesLine(sku=sku, qty=qty, unit_price=Decimal(30))]
        )
        order = self.execute(handlers.create_sales_order, cmd)
        if order is not None:
            assert self.execute(handlers.ship_sales_order, order.id, NewShipment(lines=[ShipLine(sku=sku, qty=qty)]))

    # -- invariants -----------------------------------------------------------------------------

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
    def every_entry_balances(self) -> None:
        for entry in self.t.journal:
            assert sum(x.debit for x in entry.lines) == sum(x.credit for x in entry.lines), entry

    @invariant()
    def ap_is_what_is_owed_less_prepayments(self) -> None:
        for supplier in SUPPLIERS:
            bills = [b for b in self.t.bills.values() if b.supplier == supplier and b.status != BillStatus.ON_HOLD]
            expenses = [e for e in self.t.expenses.values() if e.supplier == supplier]
            payments = [p for p in self.t.supplier_payments.values() if p.supplier == supplier]
            owed = sum((b.amount_due for b in bills), ZERO) + sum((e.total for e in expenses), ZERO)
            prepaid = sum((p.unallocated for p in payments), ZERO)
            assert -self.balance("ap", supplier) == owed - prepaid, supplier

    @invariant()
    def grni_is_received_and_not_billed(self) -> None:
        billed: dict[tuple[int, str], Decimal] = {}
        for bill in self.t.bills.values():
            if bill.status != BillStatus.ON_HOLD:
                for line in bill.lines:
                    key = (bill.purchase_order_id, line.sku)
                    billed[key] = billed.get(key, ZERO) + line.qty
        unbilled = sum(
            (
                (line.accepted - billed.get((order.id or 0, line.sku), ZERO)) * line.unit_cost
                for order in self.t.purchase_orders.values()
                for line in order.lines
            ),
            ZERO,
        )
        assert -self.balance("grni") == unbilled

    @invariant()
    def bank_and_inventory_agree(self) -> None:
        paid = sum((p.amount for p in self.t.supplier_payments.values()), ZERO)
        paid += sum((e.total for e in self.t.expenses.values() if e.supplier is None), ZERO)
        assert -self.balance("bank") == paid
        assert self.balance("inventory") == sum((v.value for v in self.t.valuations.values()), ZERO)

    @invariant()
    def documents_stay_within_their_bounds(self) -> None:
        for bill in self.t.bills.values():
            assert ZERO <= bill.amount_paid <= bill.total
            if bill.status != BillStatus.ON_HOLD:
                expected = (
                    BillStatus.PAID
                    if bill.amount_due == 0
                    else BillStatus.PARTIALLY_PAID
                    if bill.amount_paid > 0
                    else BillStatus.OPEN
                )
                assert bill.status == expected, bill
        for order in self.t.purchase_orders.values():
            for line in order.lines:
                assert ZERO <= line.billed <= line.accepted


PayablesMachine.TestCase.settings = settings(suppress_health_check=[HealthCheck.too_slow])
TestPayables = pytest.mark.timeout(600)(PayablesMachine.TestCase)
