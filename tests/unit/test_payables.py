"""Supplier bills (3-way match, price tolerance), supplier payments and expenses, over fakes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hub.core import handlers
from hub.core.billing import Bill, BillStatus, price_off
from hub.core.commands import (
    NewPurchaseOrder,
    NewReceipt,
    NewShipment,
    NewTaxRate,
    ProductChanges,
    PurchaseLine,
    ReceiptLineIn,
    ShipLine,
)
from hub.core.errors import DuplicateRecord, InvalidInput, InvalidTransition
from hub.core.journal import JournalEntry
from hub.core.numbers import ZERO
from hub.core.payable_commands import (
    BillAllocationIn,
    BillLineIn,
    NewBill,
    NewBillAllocations,
    NewExpense,
    NewSupplierPayment,
)
from hub.core.purchasing import PurchaseOrder
from tests.fakes import FakeStore
from tests.unit.support import SUPPLIER, WH1, D, event_types, order_purchase, sell, valuation

DAY = date(2026, 12, 1)


async def received(store: FakeStore, lines: dict[str, tuple[str | int, str | int]]) -> PurchaseOrder:
    order = await order_purchase(store, lines)
    receipt = NewReceipt(lines=[ReceiptLineIn(sku=sku, accepted=D(qty)) for sku, (qty, _) in lines.items()])
    await store.run(handlers.receive_purchase_order, order.id, receipt)
    return store.tables.purchase_orders[order.id or 0]


def bill_cmd(order: PurchaseOrder, ref: str = "B1", **lines: tuple[str | int, str]) -> NewBill:
    return NewBill(
        purchase_order=order.id or 0,
        supplier_reference=ref,
        date=DAY,
        lines=[BillLineIn(sku=sku, qty=D(qty), unit_cost=D(cost)) for sku, (qty, cost) in lines.items()],
    )


def journal(store: FakeStore, source_type: str, source_id: int | None) -> list[JournalEntry]:
    return [e for e in store.tables.journal if (e.source_type, e.source_id) == (source_type, source_id)]


def lines_of(entry: JournalEntry) -> dict[str, Decimal]:
    """Role → debit − credit."""
    found: dict[str, Decimal] = {}
    for line in entry.lines:
        found[line.role] = found.get(line.role, ZERO) + line.debit - line.credit
    return found


def balance(store: FakeStore, role: str, party: str | None = None) -> Decimal:
    return sum(
        (
            line.debit - line.credit
            for entry in store.tables.journal
            for line in entry.lines
            if line.role == role and (party is None or line.party == party)
        ),
        ZERO,
    )


# -- the tolerance --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_cost", "held"),
    [("10.20", False), ("9.80", False), ("10.201", True), ("9.799", True), ("10", False), ("10.2000001", True)],
)
def test_price_tolerance_boundary_is_inclusive(unit_cost: str, held: bool) -> None:
    assert price_off(D(unit_cost), D(10), D("0.02")) is held


def test_a_free_order_line_tolerates_only_free() -> None:
    assert not price_off(ZERO, ZERO, D("0.02"))
    assert price_off(D("0.01"), ZERO, D("0.02"))


async def test_exactly_two_percent_off_posts_two_point_oh_one_holds(store: FakeStore) -> None:
    order = await received(store, {"TEA": (100, "2.00")})
    at_limit = await store.run(handlers.create_bill, bill_cmd(order, "B1", TEA=(50, "2.04")))
    assert (at_limit.status, at_limit.hold_reason) == (BillStatus.OPEN, None)
    over = await store.run(handlers.create_bill, bill_cmd(order, "B2", TEA=(50, "2.0402")))
    assert over.status == BillStatus.ON_HOLD
    assert over.hold_reason is not None and "TEA" in over.hold_reason and "2.0402" in over.hold_reason
    assert journal(store, "bill", over.id) == []  # on hold: nothing posted


# -- the 3-way match ----------------------------------------------------------------------------------


async def test_bill_matches_order_and_receipt_and_posts_grni_variance_tax_and_ap(store: FakeStore) -> None:
    await store.run(handlers.create_tax_rate, NewTaxRate(code="VAT13", name="VAT", rate=D("0.13")))
    order = await received(store, {"TEA": (10, "2.00"), "CUP": (4, "5.00")})
    store.tables.purchase_orders[order.id or 0].lines[0].tax_code = "VAT13"  # as if ordered with it
    order = store.tables.purchase_orders[order.id or 0]
    mark = len(store.events)
    bill = await store.run(handlers.create_bill, bill_cmd(order, TEA=(10, "2.01"), CUP=(4, "5.00")))
    assert bill.number == "BILL-000001" and bill.status == BillStatus.OPEN
    assert bill.due_date == date(2026, 12, 31)  # 30 days without supplier terms
    assert [(line.net, line.tax, line.gross) for line in bill.lines] == [
        (D("20.10"), D("2.61"), D("22.71")),
        (D("20.00"), ZERO, D("20.00")),
    ]
    assert (bill.net_total, bill.tax_total, bill.total, bill.amount_due) == (
        D("40.10"),
        D("2.61"),
        D("42.71"),
        D("42.71"),
    )
    [entry] = journal(store, "bill", bill.id)
    assert lines_of(entry) == {"grni": D(40), "price_variance": D("0.10"), "input_tax": D("2.61"), "ap": D("-42.71")}
    assert [line.party for line in entry.lines if line.role == "ap"] == [SUPPLIER]
    assert balance(store, "grni") == 0  # the receipt's credit is cleared
    assert event_types(store, mark) == ["journal.posted", "bill.posted"]
    assert [line.billed for line in store.tables.purchase_orders[order.id or 0].lines] == [10, 4]


async def test_billing_more_than_accepted_less_billed_is_refused(store: FakeStore) -> None:
    order = await order_purchase(store, {"TEA": (10, "2")})
    receipt = NewReceipt(lines=[ReceiptLineIn(sku="TEA", accepted=D(6), rejected=D(1))])
    await store.run(handlers.receive_purchase_order, order.id, receipt)
    order = store.tables.purchase_orders[order.id or 0]
    with pytest.raises(InvalidInput) as refused:
        await store.run(handlers.create_bill, bill_cmd(order, TEA=(7, "2")))
    assert refused.value.field == "lines[0].qty"
    await store.run(handlers.create_bill, bill_cmd(order, "B1", TEA=(4, "2")))
    with pytest.raises(InvalidInput) as refused:
        await store.run(handlers.create_bill, bill_cmd(order, "B2", TEA=(3, "2")))
    assert refused.value.field == "lines[0].qty"
    assert (await store.run(handlers.create_bill, bill_cmd(order, "B2", TEA=(2, "2")))).number == "BILL-000002"


async def test_draft_or_cancelled_order_unknown_sku_and_duplicate_reference(store: FakeStore) -> None:
    draft = await order_purchase(store, {"TEA": (1, "2")}, approve=False)
    with pytest.raises(InvalidInput) as refused:
        await store.run(handlers.create_bill, bill_cmd(draft, TEA=(1, "2")))
    assert refused.value.field == "purchase_order"
    cancelled = await store.run(handlers.cancel_purchase_order, draft.id)
    with pytest.raises(InvalidInput):
        await store.run(handlers.create_bill, bill_cmd(cancelled, TEA=(1, "2")))
    order = await received(store, {"TEA": (5, "2")})
    with pytest.raises(InvalidInput) as refused:
        await store.run(handlers.create_bill, bill_cmd(order, CUP=(1, "2")))
    assert refused.value.field == "lines[0].sku"
    await store.run(handlers.create_bill, bill_cmd(order, "SAME", TEA=(1, "2")))
    with pytest.raises(DuplicateRecord) as duplicate:
        await store.run(handlers.create_bill, bill_cmd(order, "SAME", TEA=(1, "2")))
    assert duplicate.value.field == "supplier_reference"
    assert store.tables.numbers == {"BILL": 1}  # refusals take no number


async def test_a_held_bill_posts_when_approved_and_only_once(store: FakeStore) -> None:
    order = await received(store, {"TEA": (10, "2.00")})
    bill = await store.run(handlers.create_bill, bill_cmd(order, TEA=(10, "2.50")))
    assert bill.status == BillStatus.ON_HOLD
    mark = len(store.events)
    approved = await store.run(handlers.approve_bill, bill.id)
    assert (approved.status, approved.hold_reason) == (BillStatus.OPEN, None)
    assert event_types(store, mark) == ["journal.posted", "bill.approved"]
    [entry] = journal(store, "bill", bill.id)
    assert lines_of(entry) == {"grni": D(20), "price_variance": D(5), "ap": D(-25)}
    with pytest.raises(InvalidTransition):
        await store.run(handlers.approve_bill, bill.id)


async def test_tax_inclusive_order_stocks_goods_net_of_tax_and_its_bill_clears_grni(store: FakeStore) -> None:
    await store.run(handlers.create_tax_rate, NewTaxRate(code="VAT13", name="VAT", rate=D("0.13")))
    await store.run(handlers.update_product, "TEA", ProductChanges(tax_code="VAT13"))
    cmd = NewPurchaseOrder(
        supplier=SUPPLIER,
        warehouse=WH1,
        prices_include_tax=True,
        lines=[PurchaseLine(sku="TEA", qty=D(2), unit_cost=D("11.30"))],
    )
    order = await store.run(handlers.create_purchase_order, cmd)
    assert order.lines[0].tax_code == "VAT13"  # the product's rate, fixed on the order
    await store.run(handlers.approve_purchase_order, order.id)
    await store.run(
        handlers.receive_purchase_order, order.id, NewReceipt(lines=[ReceiptLineIn(sku="TEA", accepted=D(2))])
    )
    assert valuation(store, "TEA").value == D(20)  # 2 × 10.00: the tax is reclaimed, not stocked
    stored = store.tables.purchase_orders[order.id or 0]
    bill = await store.run(handlers.create_bill, bill_cmd(stored, TEA=(2, "11.30")))
    assert (bill.net_total, bill.tax_total, bill.total) == (D("20.00"), D("2.60"), D("22.60"))
    [entry] = journal(store, "bill", bill.id)
    assert lines_of(entry) == {"grni": D(20), "input_tax": D("2.60"), "ap": D("-22.60")}
    assert balance(store, "grni") == 0
    assert balance(store, "inventory") == valuation(store, "TEA").value


# -- supplier payments -------------------------------------------------------------------------------


def payment(amount: str, *allocations: tuple[int | None, str], currency: str = "USD") -> NewSupplierPayment:
    return NewSupplierPayment(
        supplier=SUPPLIER,
        amount=D(amount),
        currency=currency,
        date=DAY,
        method="bank_transfer",
        allocations=[BillAllocationIn(bill=bill or 0, amount=D(part)) for bill, part in allocations],
    )


async def open_bill(store: FakeStore, ref: str = "B1", cost: str = "2.00") -> Bill:
    order = await received(store, {"TEA": (10, "2.00")})
    return await store.run(handlers.create_bill, bill_cmd(order, ref, TEA=(10, cost)))


async def test_partial_then_full_payment_and_a_prepayment_net_in_ap(store: FakeStore) -> None:
    bill = await open_bill(store)
    first = await store.run(handlers.pay_supplier, payment("5.00", (bill.id, "5.00")))
    assert first.number == "SPAY-000001" and first.unallocated == 0
    assert store.tables.bills[bill.id or 0].status == BillStatus.PARTIALLY_PAID
    second = await store.run(handlers.pay_supplier, payment("20.00", (bill.id, "15.00")))
    paid = store.tables.bills[bill.id or 0]
    assert (paid.status, paid.amount_due, second.unallocated) == (BillStatus.PAID, ZERO, D(5))
    [entry] = journal(store, "supplier_payment", second.id)
    assert lines_of(entry) == {"ap": D(20), "bank": D(-20)}
    assert balance(store, "ap", SUPPLIER) == D(5)  # the prepayment: the supplier owes us
    assert event_types(store)[-2:] == ["journal.posted", "supplier_payment.made"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "30.00", "part": "25.00"}, "allocations[0].amount"),  # more than due
        ({"amount": "5.00", "part": "6.00"}, "allocations[0].amount"),  # more than paid
        ({"amount": "5.001", "part": "5.00"}, "amount"),  # finer than cents
        ({"currency": "EUR"}, "currency"),
        ({"bill": 999}, "allocations[0].bill"),
    ],
)
async def test_bad_allocations_are_refused(store: FakeStore, change: dict[str, object], field: str) -> None:
    bill = await open_bill(store)
    cmd = payment(
        str(change.get("amount", "10.00")),
        (int(change.get("bill", bill.id or 0)), str(change.get("part", "10.00"))),  # type: ignore[call-overload]
        currency=str(change.get("currency", "USD")),
    )
    mark = len(store.events)
    with pytest.raises(InvalidInput) as refused:
        await store.run(handlers.pay_supplier, cmd)
    assert refused.value.field == field
    assert len(store.events) == mark and store.tables.supplier_payments == {}


async def test_a_prepayment_is_allocated_later_without_a_second_posting(store: FakeStore) -> None:
    ahead = await store.run(handlers.pay_supplier, payment("30.00"))
    assert ahead.unallocated == D(30)
    bill = await open_bill(store)
    entries = len(store.tables.journal)
    mark = len(store.events)
    later = await store.run(
        handlers.allocate_supplier_payment,
        ahead.id,
        NewBillAllocations(allocations=[BillAllocationIn(bill=bill.id or 0, amount=D(20))]),
    )
    assert (later.unallocated, [a.line_no for a in later.allocations]) == (D(10), [1])
    assert store.tables.bills[bill.id or 0].status == BillStatus.PAID
    assert len(store.tables.journal) == entries  # AP already held the prepayment
    assert event_types(store, mark) == ["supplier_payment.allocated"]
    assert balance(store, "ap", SUPPLIER) == D(10)
    other = await open_bill(store, "B2")
    with pytest.raises(InvalidInput) as refused:
        await store.run(
            handlers.allocate_supplier_payment,
            ahead.id,
            NewBillAllocations(allocations=[BillAllocationIn(bill=other.id or 0, amount=D(11))]),
        )
    assert refused.value.field == "allocations[0].amount"  # only 10 is left


async def test_a_held_bill_cannot_be_paid(store: FakeStore) -> None:
    bill = await open_bill(store, cost="3.00")
    assert bill.status == BillStatus.ON_HOLD
    with pytest.raises(InvalidInput) as refused:
        await store.run(handlers.pay_supplier, payment("10.00", (bill.id, "10.00")))
    assert refused.value.field == "allocations[0].bill"


# -- expenses --------------------------------------------------------------------------------------------


async def test_an_expense_with_a_supplier_posts_to_ap_without_to_bank(store: FakeStore) -> None:
    await store.run(handlers.create_tax_rate, NewTaxRate(code="VAT6", name="VAT 6", rate=D("0.06")))
    billed = await store.run(
        handlers.record_expense,
        NewExpense(category="storage", amount=D("100.00"), tax_code="VAT6", date=DAY, supplier=SUPPLIER),
    )
    assert (billed.number, billed.net, billed.tax, billed.total) == ("EXP-000001", D(100), D(6), D(106))
    [entry] = journal(store, "expense", billed.id)
    assert lines_of(entry) == {"expenses:storage": D(100), "input_tax": D(6), "ap": D(-106)}
    paid = await store.run(handlers.record_expense, NewExpense(category="admin", amount=D("12.50"), date=DAY))
    [entry] = journal(store, "expense", paid.id)
    assert lines_of(entry) == {"expenses:admin": D("12.50"), "bank": D("-12.50")}
    assert event_types(store)[-2:] == ["journal.posted", "expense.recorded"]


async def test_freight_landed_on_a_receipt_raises_average_cost_and_the_rest_goes_to_cogs(store: FakeStore) -> None:
    order = await received(store, {"TEA": (10, "2.00"), "CUP": (10, "6.00")})
    receipt_id = max(store.tables.receipts)
    # Half the cups are sold before the freight bill arrives.
    so = await sell(store, {"CUP": 5})
    await store.run(handlers.ship_sales_order, so.id, NewShipment(lines=[ShipLine(sku="CUP", qty=D(5))]))
    mark = len(store.events)
    freight = await store.run(
        handlers.record_expense,
        NewExpense(category="freight", amount=D("16.00"), date=DAY, supplier="ACME", landed_on_receipt=receipt_id),
    )
    # Shares by value: TEA 20 of 80 → 4.00, CUP 60 of 80 → 12.00, of which half is still held.
    assert (freight.capitalised, freight.expensed_to_cogs) == (D(10), D(6))
    assert (valuation(store, "TEA").value, valuation(store, "TEA").average_cost) == (D(24), D("2.4"))
    assert (valuation(store, "CUP").value, valuation(store, "CUP").average_cost) == (D(36), D("7.2"))
    [entry] = journal(store, "expense", freight.id)
    assert lines_of(entry) == {"inventory": D(10), "cogs": D(6), "ap": D(-16)}
    moves = [m for m in store.tables.moves if m.reference_type == "expense"]
    assert [(m.sku, m.qty, m.value) for m in moves] == [("TEA", ZERO, D(4)), ("CUP", ZERO, D(6))]
    assert "stock.moved" in event_types(store, mark)
    # The inventory account still equals the stock value.
    assert balance(store, "inventory") == sum((v.value for v in store.tables.valuations.values()), ZERO)
    assert order.id is not None


async def test_landing_on_an_unknown_receipt_or_with_an_unknown_tax_code_is_refused(store: FakeStore) -> None:
    for cmd, field in [
        (NewExpense(category="freight", amount=D(1), date=DAY, landed_on_receipt=999), "landed_on_receipt"),
        (NewExpense(category="freight", amount=D(1), date=DAY, tax_code="NOPE"), "tax_code"),
        (NewExpense(category="freight", amount=D(1), date=DAY, supplier="NOPE"), "supplier"),
        (NewExpense(category="freight", amount=D("1.005"), date=DAY), "amount"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            await store.run(handlers.record_expense, cmd)
        assert refused.value.field == field
    assert store.tables.expenses == {} and store.tables.journal == []
