"""The reports' reads: facts from the ledger, the documents and the journal, handed to
:mod:`hub.core.reports` to compute.

One method per report, each taking its parameters and answering a
:class:`~hub.core.reports.Report`; the API and ``hub report`` both call these. Dates are
days in UTC, both ends inclusive. Amounts are summed in Python, not SQL: on SQLite they
are text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.billing import BillStatus
from hub.core.errors import InvalidInput
from hub.core.invoicing import InvoiceStatus
from hub.core.money import round_money
from hub.core.numbers import ZERO
from hub.core.purchasing import PurchaseOrderStatus
from hub.core.reports import (
    Credit,
    MoveFact,
    OpenItem,
    OrderedLine,
    PostedLine,
    ReceivedLine,
    Report,
    Sale,
    aging_report,
    allocation_days,
    balance_sheet,
    demand_report,
    inventory_report,
    profit_and_loss,
    purchases_report,
    sales_report,
    trial_balance,
)
from hub.core.reports.purchases import Group as PurchaseGroup
from hub.core.reports.sales import Group as SalesGroup
from hub.db import tables as t
from hub.db.repositories import MoveRepository

__all__ = ["ReportQueries", "day_start"]


wh, p = t.warehouses.c, t.products.c


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _until(column: Any, end: date) -> Any:
    return column < day_start(end + timedelta(days=1))


def _within(column: Any, start: date, end: date) -> Any:
    return and_(column >= day_start(start), _until(column, end))


class ReportQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, stmt: Select[Any]) -> Sequence[Any]:
        return list((await self.session.execute(stmt)).all())

    # -- facts -------------------------------------------------------------------------------

    async def sold(self, start: date, end: date) -> list[Sale]:
        """THE revenue source: shipped lines at their order's unit price less the units' share
        of the line's discount, returns negative.

        When invoices exist, this is the one function to point at them."""
        m, o, lines = t.stock_moves.c, t.sales_orders.c, t.sales_order_lines.c
        sales: list[Sale] = []
        for document, ref, sign in ((t.shipments, "shipment", 1), (t.sales_returns, "return", -1)):
            stmt = (
                select(
                    m.created_at,
                    m.sku,
                    m.qty,
                    m.value,
                    o.customer,
                    o.channel,
                    o.currency,
                    lines.unit_price,
                    lines.discount,
                    lines.qty,
                )
                .join(document, and_(m.reference_type == ref, document.c.id == m.reference_id))
                .join(t.sales_orders, t.sales_orders.c.id == document.c.order_id)
                .join(t.sales_order_lines, and_(lines.order_id == o.id, lines.sku == m.sku))
                .where(_within(m.created_at, start, end))
                .order_by(m.id)
            )
            for at, sku, qty, value, customer, channel, currency, price, discount, ordered in await self._rows(stmt):
                off = discount * qty / ordered if discount else ZERO
                revenue = round_money(qty * price - off, currency)
                sale = Sale(at.date(), sku, customer, channel, currency, sign * qty, sign * revenue, sign * value)
                sales.append(sale)
        return sales

    async def moves(self, end: date, sku: str | None = None) -> list[MoveFact]:
        m = t.stock_moves.c
        stmt = select(m.created_at, m.sku, m.qty, m.source, m.destination, m.value).where(_until(m.created_at, end))
        if sku is not None:
            stmt = stmt.where(m.sku == sku)
        return [MoveFact(at.date(), *rest) for at, *rest in await self._rows(stmt.order_by(m.id))]

    async def posted(self, end: date) -> list[PostedLine]:
        e, lines = t.journal_entries.c, t.journal_lines.c
        stmt = (
            select(e.date, lines.account, lines.role, lines.debit, lines.credit, e.currency)
            .join(t.journal_entries, e.id == lines.entry_id)
            .where(e.date <= end)
            .order_by(lines.id)
        )
        return [PostedLine(*row) for row in await self._rows(stmt)]

    async def shipped(self, sku: str, start: date, end: date) -> dict[date, Decimal]:
        """Quantity of ``sku`` shipped each day (UTC): the alerts' query, so both see one history."""
        daily = (await MoveRepository(self.session).shipped_daily([sku], day_start(start)))[sku]
        return {day: qty for day, qty in daily.items() if day <= end}

    async def purchased(self, start: date, end: date) -> tuple[list[OrderedLine], list[ReceivedLine]]:
        """Lines and receipts of the orders created in the period (approved at some point)."""
        po, pol, r, rl = t.purchase_orders.c, t.purchase_order_lines.c, t.receipts.c, t.receipt_lines.c
        # expected_date is another engineer's new column: measured once it exists.
        expected = po.get("expected_date")
        chosen = and_(_within(po.created_at, start, end), po.status != PurchaseOrderStatus.DRAFT)
        lines = await self._rows(
            select(po.id, po.supplier, pol.sku, po.currency, pol.qty, po.status, pol.accepted, pol.rejected)
            .join(t.purchase_order_lines, pol.order_id == po.id)
            .where(chosen)
            .order_by(pol.id)
        )
        columns = [po.id, po.supplier, rl.sku, po.currency, r.created_at, rl.accepted, rl.rejected, rl.unit_cost]
        receipts = await self._rows(
            select(*columns, *([expected] if expected is not None else []))
            .join(t.receipts, r.order_id == po.id)
            .join(t.receipt_lines, rl.receipt_id == r.id)
            .where(chosen)
            .order_by(rl.id)
        )
        received_on = {order_id for order_id, *_ in receipts}
        ordered = [
            OrderedLine(order_id, supplier, sku, currency, qty)
            for order_id, supplier, sku, currency, qty, status, *_ in lines
            # A cancelled order counts for what was received on it, not what it asked.
            if status != PurchaseOrderStatus.CANCELLED or order_id in received_on
        ]
        received = [
            ReceivedLine(
                order_id, supplier, sku, currency, at.date(), accepted, rejected, cost, rest[0] if rest else None
            )
            for order_id, supplier, sku, currency, at, accepted, rejected, cost, *rest in receipts
        ]
        return ordered, received

    async def receivable(self, at: date) -> tuple[list[OpenItem], list[Credit]]:
        """Invoices issued by ``at`` with what was due on them that day, and each customer's credit.

        As at ``at``: payments dated on or before it, their allocations from the day the journal
        dates them (:func:`~hub.core.reports.aging.allocation_days`), credit notes issued on or
        before it. A void invoice counts until the day the journal dates its void."""
        i, pay, cn = t.invoices.c, t.payments.c, t.credit_notes.c
        e = t.journal_entries.c
        # A void invoice was open until its void, which the journal dates: its last entry.
        voided = (
            select(func.max(e.date))
            .where(e.source_type == "invoice", e.source_id == i.id)
            .correlate(t.invoices)
            .scalar_subquery()
        )
        invoices = await self._rows(
            select(i.id, i.customer, i.currency, i.number, i.due_date, i.total)
            .where(i.issue_date <= at, or_(i.status != InvoiceStatus.VOID, voided > at))
            .order_by(i.id)
        )
        settled: dict[int, Decimal] = {}
        credit: dict[tuple[str, str], Decimal] = {}
        for customer, currency, amount in await self._rows(
            select(pay.customer, pay.currency, pay.amount).where(pay.date <= at)
        ):
            credit[(customer, currency)] = credit.get((customer, currency), ZERO) + amount
        for _, invoice_id, amount, customer, currency, day in await self._allocated(at):
            if day <= at:
                settled[invoice_id] = settled.get(invoice_id, ZERO) + amount
                credit[(customer, currency)] -= amount
        for invoice_id, customer, currency, applied, unapplied in await self._rows(
            select(cn.invoice_id, cn.customer, cn.currency, cn.applied, cn.unapplied).where(cn.issue_date <= at)
        ):
            settled[invoice_id] = settled.get(invoice_id, ZERO) + applied
            credit[(customer, currency)] = credit.get((customer, currency), ZERO) + unapplied
        items = [
            OpenItem(customer, currency, number, due, total - settled.get(invoice_id, ZERO))
            for invoice_id, customer, currency, number, due, total in invoices
        ]
        return items, [Credit(customer, currency, amount) for (customer, currency), amount in credit.items()]

    async def _allocated(self, at: date) -> list[tuple[int, int, Decimal, str, str, date]]:
        """Allocations of the payments dated by ``at``, each with the day the journal settled it."""
        pay, a, e, lines = t.payments.c, t.payment_allocations.c, t.journal_entries.c, t.journal_lines.c
        allocations = await self._rows(
            select(a.payment_id, a.invoice_id, a.amount, pay.customer, pay.currency)
            .join(t.payments, pay.id == a.payment_id)
            .where(pay.date <= at)
            .order_by(a.id)
        )
        entries = await self._rows(
            select(e.id, e.source_id, e.date, lines.credit)
            .join(t.journal_lines, lines.entry_id == e.id)
            .join(t.payments, and_(e.source_type == "payment", pay.id == e.source_id))
            .where(pay.date <= at, lines.role == "ar")
            .order_by(e.id, lines.id)
        )
        settled: dict[int, dict[int, tuple[date, Decimal]]] = {}
        for entry_id, payment_id, day, amount in entries:
            by_entry = settled.setdefault(payment_id, {})
            _, before = by_entry.get(entry_id, (day, ZERO))
            by_entry[entry_id] = (day, before + amount)
        mine: dict[int, list[Any]] = {}
        for row in allocations:
            mine.setdefault(row[0], []).append(row)
        dated = []
        for payment_id, rows in mine.items():
            days = allocation_days([(r[1], r[2]) for r in rows], settled.get(payment_id, {}).values())
            dated += [(*row, day) for row, day in zip(rows, days, strict=True)]
        return dated

    async def payable(self, at: date) -> tuple[list[OpenItem], list[Credit]]:
        """Bills dated by ``at`` (on hold included) with what was due on them, and prepayments.

        Supplier payments dated on or before ``at`` count, and of their allocations those
        dated on or before it (a later allocation is dated the day it was made)."""
        b, sp, a = t.bills.c, t.supplier_payments.c, t.supplier_payment_allocations.c
        bills = await self._rows(
            select(b.id, b.supplier, b.currency, b.number, b.due_date, b.total, b.status)
            .where(b.date <= at)
            .order_by(b.id)
        )
        prepaid: dict[tuple[str, str], Decimal] = {}
        for supplier, currency, amount in await self._rows(
            select(sp.supplier, sp.currency, sp.amount).where(sp.date <= at)
        ):
            prepaid[(supplier, currency)] = prepaid.get((supplier, currency), ZERO) + amount
        paid: dict[int, Decimal] = {}
        for bill_id, amount, supplier, currency in await self._rows(
            select(a.bill_id, a.amount, sp.supplier, sp.currency)
            .join(t.supplier_payments, sp.id == a.payment_id)
            .where(sp.date <= at, a.date <= at)
        ):
            paid[bill_id] = paid.get(bill_id, ZERO) + amount
            prepaid[(supplier, currency)] -= amount
        items = [
            OpenItem(supplier, currency, number, due, total - paid.get(bill_id, ZERO), status == BillStatus.ON_HOLD)
            for bill_id, supplier, currency, number, due, total, status in bills
        ]
        return items, [Credit(supplier, currency, amount) for (supplier, currency), amount in prepaid.items()]

    # -- reports ------------------------------------------------------------------------------

    async def sales(self, start: date, end: date, group_by: SalesGroup) -> Report:
        return sales_report(await self.sold(start, end), group_by, start, end)

    async def inventory(self, start: date, end: date, warehouse: str | None, slow_days: int) -> Report:
        if warehouse is not None and await self.session.scalar(select(wh.code).where(wh.code == warehouse)) is None:
            raise InvalidInput(f"unknown warehouse {warehouse!r}", field="warehouse")
        moves = await self.moves(end)
        return inventory_report(moves, warehouse=warehouse, start=start, end=end, slow_days=slow_days)

    async def purchases(self, start: date, end: date, group_by: PurchaseGroup) -> Report:
        return purchases_report(*await self.purchased(start, end), group_by, start, end)

    async def ar_aging(self, at: date) -> Report:
        return aging_report("ar", *await self.receivable(at), at)

    async def ap_aging(self, at: date) -> Report:
        return aging_report("ap", *await self.payable(at), at)

    async def trial_balance(self, at: date) -> Report:
        return trial_balance(await self.posted(at), at)

    async def profit_and_loss(self, start: date, end: date) -> Report:
        return profit_and_loss(await self.posted(end), start, end)

    async def balance_sheet(self, at: date) -> Report:
        return balance_sheet(await self.posted(at), at)

    async def demand(self, sku: str, start: date, end: date) -> Report:
        if await self.session.scalar(select(p.sku).where(p.sku == sku)) is None:
            raise InvalidInput(f"unknown SKU {sku!r}", field="sku")
        return demand_report(sku, await self.shipped(sku, start, end), start, end)
