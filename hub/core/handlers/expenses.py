"""Handler for expenses, and for landing freight onto the stock of a receipt."""

from __future__ import annotations

from decimal import Decimal

from hub.core.billing import document_number
from hub.core.errors import InvalidInput
from hub.core.events import ExpenseRecorded
from hub.core.expenses import Expense, landed_shares
from hub.core.handlers._refs import known
from hub.core.handlers._stock import close_book, open_book
from hub.core.handlers.finance import known_tax_rate, post_entry
from hub.core.ledger import Reference, StockBook
from hub.core.numbers import ZERO
from hub.core.payable_commands import NewExpense
from hub.core.ports import UnitOfWork
from hub.core.purchasing import Receipt
from hub.core.supplier_payments import in_minor_units
from hub.core.tax import price_line

__all__ = ["record_expense"]


async def _land(uow: UnitOfWork, expense: Expense, receipt: Receipt, book: StockBook) -> None:
    """Capitalise the expense's net onto the receipt's stock (see hub.core.expenses)."""
    assert expense.id is not None
    held = {sku: valuation.quantity for sku, valuation in book.valuations.items()}
    lines = [(line.sku, line.accepted, line.unit_cost) for line in receipt.lines]
    for share in landed_shares(lines, expense.net, held):
        if share.capitalised > 0:
            book.capitalise(share.sku, receipt.warehouse, share.capitalised, Reference("expense", expense.id))
            expense.capitalised += share.capitalised
    expense.expensed_to_cogs = expense.net - expense.capitalised
    # The moves' value is posted below, with the expense (Dr inventory / Cr ap|bank).
    await close_book(uow, book, post=False)


async def record_expense(cmd: NewExpense, uow: UnitOfWork) -> Expense:
    """Record an expense and post it; a landed one raises the receipt's stock value."""
    currency = uow.base_currency  # a landed cost joins stock values, kept in the base currency
    in_minor_units(cmd.amount, currency, "amount")
    receipt = None
    if cmd.landed_on_receipt is not None:
        receipt = await uow.receipts.get(cmd.landed_on_receipt)
        if receipt is None:
            raise InvalidInput(f"receipt {cmd.landed_on_receipt} does not exist", field="landed_on_receipt")
        if not any(line.accepted > 0 for line in receipt.lines):
            raise InvalidInput(
                f"receipt {cmd.landed_on_receipt} accepted nothing to land a cost on", field="landed_on_receipt"
            )
    if cmd.supplier is not None:
        await known(uow.suppliers, cmd.supplier, "supplier", "supplier")
    rate = await known_tax_rate(uow, cmd.tax_code, "tax_code") if cmd.tax_code is not None else None
    amounts = price_line(Decimal(1), cmd.amount, rate.rate if rate else ZERO, currency)
    book = None
    if receipt is not None:
        # Valuations before the number series (the lock order of hub.core.ports).
        book = await open_book(uow, [], valued=sorted({line.sku for line in receipt.lines if line.accepted > 0}))
    expense = Expense(
        number=document_number("EXP", await uow.numbers.next("EXP")),
        category=cmd.category,
        currency=currency,
        date=cmd.date,
        net=amounts.net,
        tax=amounts.tax,
        total=amounts.gross,
        tax_code=rate.code if rate else None,
        tax_rate=rate.rate if rate else ZERO,
        supplier=cmd.supplier,
        reference=cmd.reference,
        landed_on_receipt=cmd.landed_on_receipt,
    )
    await uow.expenses.add(expense)
    assert expense.id is not None
    if receipt is not None and book is not None:
        await _land(uow, expense, receipt, book)
    chart = await uow.accounts.chart()
    await post_entry(uow, expense.posting().entry(chart, expense.date, ("expense", expense.id), expense.number))
    uow.emit(
        ExpenseRecorded(
            expense_id=expense.id,
            number=expense.number,
            category=expense.category,
            supplier=expense.supplier,
            currency=expense.currency,
            date=expense.date.isoformat(),
            net=expense.net,
            tax=expense.tax,
            total=expense.total,
            landed_on_receipt=expense.landed_on_receipt,
            capitalised=expense.capitalised,
            expensed_to_cogs=expense.expensed_to_cogs,
        )
    )
    return expense
