"""/v1/bills, /v1/supplier-payments, /v1/expenses: what the business owes its suppliers, and pays."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import MAX_ID, Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter
from hub.api.payable_schemas import BillOut, ExpenseOut, SupplierPaymentOut
from hub.api.routing import HubRoute
from hub.api.schemas import Page
from hub.core import handlers
from hub.core.billing import BillStatus
from hub.core.errors import NotFound
from hub.core.payable_commands import NewBill, NewBillAllocations, NewExpense, NewSupplierPayment
from hub.db.payables import PayablesQueries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, tags=["payables"])

OrderFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="a purchase order's id")]


async def _bill(uow: SqlUnitOfWork, bill_id: int) -> BillOut:
    found = await PayablesQueries(uow.session).bill(bill_id)
    if found is None:
        raise NotFound(f"bill {bill_id} does not exist")
    return BillOut.model_validate(found)


async def _payment(uow: SqlUnitOfWork, payment_id: int) -> SupplierPaymentOut:
    found = await PayablesQueries(uow.session).supplier_payment(payment_id)
    if found is None:
        raise NotFound(f"supplier payment {payment_id} does not exist")
    return SupplierPaymentOut.model_validate(found)


async def _expense(uow: SqlUnitOfWork, expense_id: int) -> ExpenseOut:
    found = await PayablesQueries(uow.session).expense(expense_id)
    if found is None:
        raise NotFound(f"expense {expense_id} does not exist")
    return ExpenseOut.model_validate(found)


# -- bills -------------------------------------------------------------------------------------------


@router.post("/v1/bills", status_code=201, response_model=BillOut)
async def create_bill(body: NewBill, ctx: Writer) -> Response:
    """Enter a supplier's bill: matched to the order and its receipts, open (posted) or on hold."""

    async def action(uow: SqlUnitOfWork) -> BillOut:
        bill = await handlers.create_bill(body, uow, tolerance=ctx.hub.settings.price_tolerance)
        return await _bill(uow, bill.id or 0)

    return await ctx.write(action)


@router.get("/v1/bills", response_model=Page[BillOut])
async def list_bills(
    ctx: Reader,
    supplier: CodeFilter = None,
    status: BillStatus | None = None,
    purchase_order: OrderFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[BillOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await PayablesQueries(uow.session).bills(
            before=decode(cursor, int), limit=limit, supplier=supplier, status=status, purchase_order=purchase_order
        )
        items = [BillOut.model_validate(bill) for bill in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/v1/bills/{bill_id}", response_model=BillOut)
async def get_bill(bill_id: DocumentId, ctx: Reader) -> BillOut:
    async with ctx.reader() as uow:
        return await _bill(uow, bill_id)


@router.post("/v1/bills/{bill_id}/approve", response_model=BillOut)
async def approve_bill(bill_id: DocumentId, ctx: Writer) -> Response:
    """Release a bill held for its price: it opens and posts."""

    async def action(uow: SqlUnitOfWork) -> BillOut:
        await handlers.approve_bill(bill_id, uow)
        return await _bill(uow, bill_id)

    return await ctx.write(action, status=200)


# -- supplier payments --------------------------------------------------------------------------------


@router.post("/v1/supplier-payments", status_code=201, response_model=SupplierPaymentOut)
async def pay_supplier(body: NewSupplierPayment, ctx: Writer) -> Response:
    """Record a payment to a supplier, allocated to its bills; what is left is a prepayment."""

    async def action(uow: SqlUnitOfWork) -> SupplierPaymentOut:
        payment = await handlers.pay_supplier(body, uow)
        return await _payment(uow, payment.id or 0)

    return await ctx.write(action)


@router.get("/v1/supplier-payments", response_model=Page[SupplierPaymentOut])
async def list_supplier_payments(
    ctx: Reader, supplier: CodeFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[SupplierPaymentOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await PayablesQueries(uow.session).supplier_payments(
            before=decode(cursor, int), limit=limit, supplier=supplier
        )
        items = [SupplierPaymentOut.model_validate(payment) for payment in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/v1/supplier-payments/{payment_id}", response_model=SupplierPaymentOut)
async def get_supplier_payment(payment_id: DocumentId, ctx: Reader) -> SupplierPaymentOut:
    async with ctx.reader() as uow:
        return await _payment(uow, payment_id)


@router.post("/v1/supplier-payments/{payment_id}/allocations", response_model=SupplierPaymentOut)
async def allocate_supplier_payment(payment_id: DocumentId, body: NewBillAllocations, ctx: Writer) -> Response:
    """Set what the payment left unallocated (a prepayment) against bills."""

    async def action(uow: SqlUnitOfWork) -> SupplierPaymentOut:
        await handlers.allocate_supplier_payment(payment_id, body, uow)
        return await _payment(uow, payment_id)

    return await ctx.write(action, status=200)


# -- expenses -------------------------------------------------------------------------------------------


@router.post("/v1/expenses", status_code=201, response_model=ExpenseOut)
async def record_expense(body: NewExpense, ctx: Writer) -> Response:
    """Record an expense; ``landed_on_receipt`` capitalises it onto that receipt's stock."""

    async def action(uow: SqlUnitOfWork) -> ExpenseOut:
        expense = await handlers.record_expense(body, uow)
        return await _expense(uow, expense.id or 0)

    return await ctx.write(action)


@router.get("/v1/expenses", response_model=Page[ExpenseOut])
async def list_expenses(
    ctx: Reader, category: CodeFilter = None, supplier: CodeFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[ExpenseOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await PayablesQueries(uow.session).expenses(
            before=decode(cursor, int), limit=limit, category=category, supplier=supplier
        )
        items = [ExpenseOut.model_validate(expense) for expense in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/v1/expenses/{expense_id}", response_model=ExpenseOut)
async def get_expense(expense_id: DocumentId, ctx: Reader) -> ExpenseOut:
    async with ctx.reader() as uow:
        return await _expense(uow, expense_id)
