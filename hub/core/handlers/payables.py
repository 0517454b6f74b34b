"""Handlers for what the business owes its suppliers: bills (3-way matched) and payments."""

from __future__ import annotations

from decimal import Decimal

from hub.core.billing import Bill, BillStatus, document_number, due, match_bill
from hub.core.errors import DuplicateRecord, InvalidInput, NotFound
from hub.core.events import AllocatedToBill, BillApproved, BillPosted, SupplierPaymentAllocated, SupplierPaymentMade
from hub.core.handlers._refs import known, known_products
from hub.core.handlers.finance import post_entry, today
from hub.core.numbers import ZERO
from hub.core.payable_commands import NewBill, NewBillAllocations, NewSupplierPayment
from hub.core.ports import UnitOfWork
from hub.core.supplier_payments import SupplierPayment, allocate
from hub.core.tax import TaxRate

__all__ = ["allocate_supplier_payment", "approve_bill", "create_bill", "pay_supplier"]

#: ``HUB_PRICE_TOLERANCE``'s default: a unit cost may be 2 % off the order's.
DEFAULT_TOLERANCE = Decimal("0.02")


async def _post(uow: UnitOfWork, bill: Bill) -> None:
    assert bill.id is not None
    chart = await uow.accounts.chart()
    entry = bill.posting().entry(chart, bill.date, ("bill", bill.id), f"{bill.number} ({bill.supplier_reference})")
    await post_entry(uow, entry)


async def create_bill(cmd: NewBill, uow: UnitOfWork, *, tolerance: Decimal = DEFAULT_TOLERANCE) -> Bill:
    """Enter a supplier's bill against a purchase order: open and posted, or on hold."""
    order = await uow.purchase_orders.get(cmd.purchase_order, lock=True)
    if order is None:
        raise InvalidInput(f"purchase order {cmd.purchase_order} does not exist", field="purchase_order")
    if await uow.bills.find_by_reference(order.supplier, cmd.supplier_reference) is not None:
        raise DuplicateRecord(
            f"{order.supplier} already has a bill {cmd.supplier_reference!r}", field="supplier_reference"
        )
    await known_products(uow, cmd.lines)
    rates: dict[str, TaxRate | None] = {}
    for line in cmd.lines:
        ordered = order.line_for(line.sku)
        # The rate fixed on the order line when it was placed (tax rates never change).
        code = ordered.tax_code if ordered else None
        rates[line.sku] = await uow.tax_rates.get(code) if code else None
    lines, hold = match_bill(order, [(line.sku, line.qty, line.unit_cost) for line in cmd.lines], rates, tolerance)
    supplier = await known(uow.suppliers, order.supplier, "purchase_order", "supplier")
    bill = Bill(
        number=document_number("BILL", await uow.numbers.next("BILL")),
        supplier=order.supplier,
        purchase_order_id=cmd.purchase_order,
        supplier_reference=cmd.supplier_reference,
        currency=order.currency,
        date=cmd.date,
        due_date=due(cmd.date, supplier.payment_terms_days),
        prices_include_tax=order.prices_include_tax,
        lines=lines,
        net_total=sum((line.net for line in lines), ZERO),
        tax_total=sum((line.tax for line in lines), ZERO),
        total=sum((line.gross for line in lines), ZERO),
        status=BillStatus.ON_HOLD if hold else BillStatus.OPEN,
        hold_reason=hold,
    )
    await uow.bills.add(bill)
    assert bill.id is not None
    if bill.status == BillStatus.OPEN:
        await _post(uow, bill)
    uow.emit(
        BillPosted(
            bill_id=bill.id,
            number=bill.number,
            supplier=bill.supplier,
            purchase_order_id=bill.purchase_order_id,
            supplier_reference=bill.supplier_reference,
            status=bill.status,
            hold_reason=bill.hold_reason,
            currency=bill.currency,
            date=bill.date.isoformat(),
            due_date=bill.due_date.isoformat(),
            net_total=bill.net_total,
            tax_total=bill.tax_total,
            total=bill.total,
        )
    )
    return bill


async def approve_bill(bill_id: int, uow: UnitOfWork) -> Bill:
    """Release a bill held for its price: it opens and posts."""
    bill = await uow.bills.get(bill_id, lock=True)
    if bill is None:
        raise NotFound(f"bill {bill_id} does not exist")
    bill.approve()
    await _post(uow, bill)
    uow.emit(BillApproved(bill_id=bill_id, number=bill.number))
    return bill


async def _bills(uow: UnitOfWork, ids: set[int]) -> dict[int, Bill]:
    """The bills that exist of ``ids``, locked in id order (the lock order of hub.core.ports)."""
    bills = {}
    for bill_id in sorted(ids):
        found = await uow.bills.get(bill_id, lock=True)
        if found is not None:
            bills[bill_id] = found
    return bills


async def pay_supplier(cmd: NewSupplierPayment, uow: UnitOfWork) -> SupplierPayment:
    """Record a payment to a supplier, allocated to its bills; the rest is a prepayment."""
    bills = await _bills(uow, {allocation.bill for allocation in cmd.allocations})
    await known(uow.suppliers, cmd.supplier, "supplier", "supplier")
    wanted = [(a.bill, a.amount) for a in cmd.allocations]
    allocations = allocate(cmd.supplier, cmd.amount, cmd.currency, wanted, bills, on=cmd.date)
    payment = SupplierPayment(
        number=document_number("SPAY", await uow.numbers.next("SPAY")),
        supplier=cmd.supplier,
        amount=cmd.amount,
        currency=cmd.currency,
        date=cmd.date,
        method=cmd.method,
        reference=cmd.reference,
        allocations=allocations,
    )
    await uow.supplier_payments.add(payment)
    assert payment.id is not None
    chart = await uow.accounts.chart()
    await post_entry(
        uow, payment.posting().entry(chart, payment.date, ("supplier_payment", payment.id), payment.number)
    )
    uow.emit(
        SupplierPaymentMade(
            payment_id=payment.id,
            number=payment.number,
            supplier=payment.supplier,
            amount=payment.amount,
            currency=payment.currency,
            date=payment.date.isoformat(),
            method=payment.method,
            allocations=[AllocatedToBill(bill_id=a.bill_id, amount=a.amount) for a in allocations],
            unallocated=payment.unallocated,
        )
    )
    return payment


async def allocate_supplier_payment(payment_id: int, cmd: NewBillAllocations, uow: UnitOfWork) -> SupplierPayment:
    """Set what a payment left unallocated against bills; the journal is unchanged."""
    payment = await uow.supplier_payments.get(payment_id, lock=True)
    if payment is None:
        raise NotFound(f"supplier payment {payment_id} does not exist")
    bills = await _bills(uow, {allocation.bill for allocation in cmd.allocations})
    added = allocate(
        payment.supplier,
        payment.unallocated,
        payment.currency,
        [(a.bill, a.amount) for a in cmd.allocations],
        bills,
        on=today().date(),
        first_line=len(payment.allocations) + 1,
    )
    payment.allocations.extend(added)
    uow.emit(
        SupplierPaymentAllocated(
            payment_id=payment_id,
            number=payment.number,
            supplier=payment.supplier,
            allocations=[AllocatedToBill(bill_id=a.bill_id, amount=a.amount) for a in added],
            unallocated=payment.unallocated,
        )
    )
    return payment
