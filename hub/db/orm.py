"""Maps the core's domain classes onto the tables (classical / imperative mapping).

The domain classes stay plain dataclasses that know nothing of SQLAlchemy; the ORM
tracks their changes so a handler's edits are written when its unit of work commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import Mapper, registry, relationship

from hub.core.alerts import ReorderAlert
from hub.core.billing import Bill, BillLine
from hub.core.catalog import Customer, Product, Supplier, Warehouse
from hub.core.counts import StockCount, StockCountLine
from hub.core.crediting import CreditNote, CreditNoteLine
from hub.core.expenses import Expense
from hub.core.invoicing import Invoice, InvoiceLine
from hub.core.journal import JournalEntry, JournalLine
from hub.core.ledger import StockLevel, StockMove, Valuation
from hub.core.payments import Payment, PaymentAllocation
from hub.core.production import ProductionIssue, ProductionLine, ProductionReceipt
from hub.core.purchasing import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine
from hub.core.sales import OrderCharge, ReturnLine, SalesOrder, SalesOrderLine, SalesReturn, Shipment, ShipmentLine
from hub.core.supplier_payments import SupplierPayment, SupplierPaymentAllocation
from hub.core.tax import TaxRate
from hub.core.transfers import Transfer, TransferLine
from hub.db import tables as t
from hub.db.types import utcnow

__all__ = ["start_mappers"]

mapper_registry = registry()
_started = False


def _lines(cls: type, order_by: ColumnElement[Any]) -> Any:
    return relationship(cls, lazy="selectin", cascade="all, delete-orphan", order_by=order_by)


def start_mappers() -> None:
    """Map once per process (idempotent)."""
    global _started
    if _started:
        return
    _started = True
    m = mapper_registry.map_imperatively
    m(Product, t.products)
    m(Warehouse, t.warehouses)
    m(Supplier, t.suppliers)
    m(Customer, t.customers)
    m(PurchaseOrderLine, t.purchase_order_lines)
    m(
        PurchaseOrder,
        t.purchase_orders,
        properties={"lines": _lines(PurchaseOrderLine, t.purchase_order_lines.c.line_no)},
    )
    m(ReceiptLine, t.receipt_lines)
    m(Receipt, t.receipts, properties={"lines": _lines(ReceiptLine, t.receipt_lines.c.id)})
    m(SalesOrderLine, t.sales_order_lines)
    m(OrderCharge, t.sales_order_charges)
    m(
        SalesOrder,
        t.sales_orders,
        properties={
            "lines": _lines(SalesOrderLine, t.sales_order_lines.c.line_no),
            "charges": _lines(OrderCharge, t.sales_order_charges.c.line_no),
        },
    )
    m(ShipmentLine, t.shipment_lines)
    m(Shipment, t.shipments, properties={"lines": _lines(ShipmentLine, t.shipment_lines.c.id)})
    m(ReturnLine, t.return_lines)
    m(SalesReturn, t.sales_returns, properties={"lines": _lines(ReturnLine, t.return_lines.c.id)})
    m(TransferLine, t.transfer_lines)
    m(Transfer, t.transfers, properties={"lines": _lines(TransferLine, t.transfer_lines.c.id)})
    m(StockCountLine, t.stock_count_lines)
    m(StockCount, t.stock_counts, properties={"lines": _lines(StockCountLine, t.stock_count_lines.c.id)})
    m(ProductionLine, t.production_lines)
    by_id = t.production_lines.c.id
    m(ProductionIssue, t.production_issues, properties={"lines": _lines(ProductionLine, by_id)})
    receipt_lines = relationship(
        ProductionLine,
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by=by_id,
        primaryjoin=t.production_receipts.c.id == t.production_lines.c.receipt_id,
    )
    m(ProductionReceipt, t.production_receipts, properties={"lines": receipt_lines})
    m(StockMove, t.stock_moves)
    m(StockLevel, t.stock_levels)
    m(Valuation, t.valuations)
    m(ReorderAlert, t.reorder_alerts)
    m(TaxRate, t.tax_rates)
    m(JournalLine, t.journal_lines)
    m(JournalEntry, t.journal_entries, properties={"lines": _lines(JournalLine, t.journal_lines.c.line_no)})
    m(BillLine, t.bill_lines)
    m(Bill, t.bills, properties={"lines": _lines(BillLine, t.bill_lines.c.line_no)})
    m(SupplierPaymentAllocation, t.supplier_payment_allocations)
    m(
        SupplierPayment,
        t.supplier_payments,
        properties={"allocations": _lines(SupplierPaymentAllocation, t.supplier_payment_allocations.c.line_no)},
    )
    m(Expense, t.expenses)
    m(InvoiceLine, t.invoice_lines)
    m(Invoice, t.invoices, properties={"lines": _lines(InvoiceLine, t.invoice_lines.c.line_no)})
    m(CreditNoteLine, t.credit_note_lines)
    m(CreditNote, t.credit_notes, properties={"lines": _lines(CreditNoteLine, t.credit_note_lines.c.line_no)})
    m(PaymentAllocation, t.payment_allocations)
    m(Payment, t.payments, properties={"allocations": _lines(PaymentAllocation, t.payment_allocations.c.id)})
    for mapper in mapper_registry.mappers:
        if any(name in mapper.columns for name in _STAMPS):
            event.listen(mapper, "before_insert", _stamp)


#: Timestamps filled at insert. The dataclasses default them to None, which the ORM
#: would otherwise write as NULL instead of applying the column default.
_STAMPS = ("created_at", "updated_at", "shipped_at")


def _stamp(mapper: Mapper[Any], connection: object, target: object) -> None:
    now = utcnow()
    for name in _STAMPS:
        if name in mapper.columns and getattr(target, name) is None:
            setattr(target, name, now)
