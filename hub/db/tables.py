"""The schema, as SQLAlchemy Core tables. Alembic migrations are generated from this."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from hub.core.alerts import AlertKind
from hub.core.billing import BillStatus
from hub.core.invoicing import InvoiceStatus, LineKind
from hub.core.purchasing import PurchaseOrderStatus
from hub.core.sales import ChargeKind, SalesOrderStatus
from hub.core.transfers import TransferStatus
from hub.db.types import Amount, JsonDoc, UTCDateTime, utcnow

__all__ = ["metadata"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Autoincrementing 64-bit ids (SQLite only autoincrements an INTEGER primary key).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _status(enum: type) -> Enum:
    return Enum(enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def _created() -> Column[object]:
    return Column("created_at", UTCDateTime(), nullable=False, default=utcnow)


# -- master data ------------------------------------------------------------------------------

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("barcode", String(64), unique=True),
    Column("list_price", Amount),
    Column("reorder_point", Amount),
    Column("reorder_max", Amount),
    Column("active", Boolean, nullable=False),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    Column("tax_code", String(64)),
)

warehouses = Table(
    "warehouses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    _created(),
)

suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("contact", String(200)),
    Column("rating", Integer),
    _created(),
    Column("payment_terms_days", Integer),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("contact", String(200)),
    Column("credit_limit", Amount),
    _created(),
    Column("tax_exempt", Boolean, nullable=False, server_default=false()),
    Column("payment_terms_days", Integer),
)

# -- purchasing -------------------------------------------------------------------------------

purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("supplier", String(64), ForeignKey("suppliers.code"), nullable=False, index=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", _status(PurchaseOrderStatus), nullable=False, index=True),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    Column("prices_include_tax", Boolean, nullable=False, server_default=false()),
    Column("expected_date", Date),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False, index=True),
    Column("qty", Amount, nullable=False),
    Column("unit_cost", Amount, nullable=False),
    Column("accepted", Amount, nullable=False),
    Column("rejected", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("billed", Amount, nullable=False, server_default="0"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False, index=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    _created(),
)

receipt_lines = Table(
    "receipt_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("receipt_id", Integer, ForeignKey("receipts.id"), nullable=False, index=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("accepted", Amount, nullable=False),
    Column("rejected", Amount, nullable=False),
    Column("unit_cost", Amount, nullable=False),
)

# -- sales ----------------------------------------------------------------------------------------

sales_orders = Table(
    "sales_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer", String(64), ForeignKey("customers.code"), nullable=False),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    Column("channel", String(64)),
    Column("external_id", String(128)),
    Column("currency", String(3), nullable=False),
    Column("status", _status(SalesOrderStatus), nullable=False, index=True),
    Column("prices_include_tax", Boolean, nullable=False, server_default=false()),
    Column("hold_reason", Text),
    Column("total", Amount, nullable=False),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    # One hub order per channel order, however many times the channel sends it.
    UniqueConstraint("channel", "external_id"),
    Index("ix_sales_orders_customer_status", "customer", "status"),
)

sales_order_lines = Table(
    "sales_order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("unit_price", Amount, nullable=False),
    Column("reserved", Amount, nullable=False),
    Column("shipped", Amount, nullable=False),
    Column("returned", Amount, nullable=False),
    Column("cogs", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("invoiced", Amount, nullable=False, server_default="0"),
    Column("credited", Amount, nullable=False, server_default="0"),
    Column("discount", Amount, nullable=False, server_default="0"),
    Column("discount_invoiced", Amount, nullable=False, server_default="0"),
)

sales_order_charges = Table(
    "sales_order_charges",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("kind", _status(ChargeKind), nullable=False),
    Column("description", String(200), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("invoiced", Boolean, nullable=False, server_default=false()),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    Column("carrier", String(200)),
    Column("tracking", String(200)),
    _created(),
)

shipment_lines = Table(
    "shipment_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shipment_id", Integer, ForeignKey("shipments.id"), nullable=False, index=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("cost", Amount, nullable=False),
)

sales_returns = Table(
    "sales_returns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    _created(),
)

return_lines = Table(
    "return_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("return_id", Integer, ForeignKey("sales_returns.id"), nullable=False, index=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("restock", Boolean, nullable=False),
    Column("cost", Amount, nullable=False),
)

# -- inventory ----------------------------------------------------------------------------------

transfers = Table(
    "transfers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("from_warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    Column("to_warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    Column("status", _status(TransferStatus), nullable=False),
    Column("shipped_at", UTCDateTime(), nullable=False, default=utcnow),
    Column("received_at", UTCDateTime()),
)

transfer_lines = Table(
    "transfer_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transfer_id", Integer, ForeignKey("transfers.id"), nullable=False, index=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("value", Amount, nullable=False),
)

stock_counts = Table(
    "stock_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    _created(),
)

stock_count_lines = Table(
    "stock_count_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("count_id", Integer, ForeignKey("stock_counts.id"), nullable=False, index=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("counted", Amount, nullable=False),
    Column("expected", Amount, nullable=False),
    Column("variance", Amount, nullable=False),
    Column("value", Amount, nullable=False),
)

# -- production -----------------------------------------------------------------------------------

production_receipts = Table(
    "production_receipts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    #: The issues it consumed, in the order named (each also points back: receipt_id).
    Column("from_issues", JsonDoc, nullable=False),
    _created(),
)

production_issues = Table(
    "production_issues",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), nullable=False),
    Column("receipt_id", Integer, ForeignKey("production_receipts.id"), index=True),
    _created(),
)

production_lines = Table(
    "production_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    # Exactly one of the two: a line of an issue or of a receipt.
    Column("issue_id", Integer, ForeignKey("production_issues.id"), index=True),
    Column("receipt_id", Integer, ForeignKey("production_receipts.id"), index=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("cost", Amount, nullable=False),
)

# -- ledger ----------------------------------------------------------------------------------------

stock_moves = Table(
    "stock_moves",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("source", String(64), nullable=False),
    Column("destination", String(64), nullable=False),
    Column("unit_cost", Amount, nullable=False),
    Column("value", Amount, nullable=False),
    Column("reference_type", String(32), nullable=False),
    Column("reference_id", Integer, nullable=False),
    _created(),
    Index("ix_stock_moves_sku_id", "sku", "id"),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("warehouse", String(64), ForeignKey("warehouses.code"), primary_key=True),
    Column("on_hand", Amount, nullable=False),
    Column("reserved", Amount, nullable=False),
    Column("in_transit", Amount, nullable=False),
    Index("ix_stock_levels_warehouse", "warehouse"),
)

valuations = Table(
    "valuations",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("quantity", Amount, nullable=False),
    Column("value", Amount, nullable=False),
    Column("average_cost", Amount, nullable=False),
)

reorder_alerts = Table(
    "reorder_alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("kind", _status(AlertKind), nullable=False),
    Column("available", Amount, nullable=False),
    Column("on_order", Amount, nullable=False),
    Column("reorder_point", Amount),
    Column("reorder_max", Amount),
    Column("suggested_qty", Amount, nullable=False),
    Column("raised_at", UTCDateTime(), nullable=False),
    Column("cleared_at", UTCDateTime()),
    # At most one active alert per SKU.
    Index(
        "uq_reorder_alerts_active_sku",
        "sku",
        unique=True,
        sqlite_where=text("cleared_at IS NULL"),
        postgresql_where=text("cleared_at IS NULL"),
    ),
)

# -- finance ---------------------------------------------------------------------------------------

tax_rates = Table(
    "tax_rates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("rate", Amount, nullable=False),
    _created(),
)

#: The business's chart code for each account role it mapped (others take the defaults).
account_codes = Table(
    "account_codes",
    metadata,
    Column("role", String(80), primary_key=True),
    Column("code", String(32), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

#: Immutable, balanced entries (Σ debit = Σ credit is checked before insert).
journal_entries = Table(
    "journal_entries",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("date", Date, nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("source_id", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("memo", Text),
    _created(),
    Index("ix_journal_entries_source", "source_type", "source_id"),
)

journal_lines = Table(
    "journal_lines",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("entry_id", BigId, ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("account", String(32), nullable=False),
    Column("role", String(80), nullable=False),
    Column("debit", Amount, nullable=False),
    Column("credit", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("party", String(64)),
)

#: The last number given in each gap-free series (``INV``, ``CN`` …).
document_numbers = Table(
    "document_numbers",
    metadata,
    Column("series", String(16), primary_key=True),
    Column("last", BigInteger, nullable=False),
)

# -- receivables --------------------------------------------------------------------------------

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("customer", String(64), ForeignKey("customers.code"), nullable=False),
    Column("sales_order_id", Integer, ForeignKey("sales_orders.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("prices_include_tax", Boolean, nullable=False),
    Column("net_total", Amount, nullable=False),
    Column("tax_total", Amount, nullable=False),
    Column("total", Amount, nullable=False),
    Column("paid", Amount, nullable=False),
    Column("credited", Amount, nullable=False),
    Column("credit_applied", Amount, nullable=False),
    Column("amount_due", Amount, nullable=False),
    Column("status", _status(InvoiceStatus), nullable=False),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    Index("ix_invoices_customer_status", "customer", "status"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    # No SKU on a shipping or discount line (``kind`` says which).
    Column("sku", String(64), ForeignKey("products.sku")),
    Column("kind", _status(LineKind), nullable=False, server_default=LineKind.GOODS.value),
    Column("description", String(200)),
    Column("charge_no", Integer),
    Column("qty", Amount, nullable=False),
    Column("unit_price", Amount, nullable=False),
    Column("discount", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("tax_rate", Amount, nullable=False),
    Column("net", Amount, nullable=False),
    Column("tax", Amount, nullable=False),
    Column("gross", Amount, nullable=False),
    Column("credited_qty", Amount, nullable=False),
    Column("credited_net", Amount, nullable=False),
    Column("credited_tax", Amount, nullable=False),
)

credit_notes = Table(
    "credit_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("customer", String(64), ForeignKey("customers.code"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("return_id", Integer, ForeignKey("sales_returns.id")),
    Column("net_total", Amount, nullable=False),
    Column("tax_total", Amount, nullable=False),
    Column("total", Amount, nullable=False),
    Column("applied", Amount, nullable=False),
    Column("unapplied", Amount, nullable=False),
    _created(),
)

credit_note_lines = Table(
    "credit_note_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("credit_note_id", Integer, ForeignKey("credit_notes.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(64), ForeignKey("products.sku")),
    Column("kind", _status(LineKind), nullable=False, server_default=LineKind.GOODS.value),
    Column("qty", Amount),
    Column("tax_code", String(64)),
    Column("tax_rate", Amount, nullable=False),
    Column("net", Amount, nullable=False),
    Column("tax", Amount, nullable=False),
    Column("gross", Amount, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("customer", String(64), ForeignKey("customers.code"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount", Amount, nullable=False),
    Column("date", Date, nullable=False),
    Column("method", String(64), nullable=False),
    Column("reference", String(200)),
    Column("allocated", Amount, nullable=False),
    Column("unallocated", Amount, nullable=False),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

payment_allocations = Table(
    "payment_allocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=False, index=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("amount", Amount, nullable=False),
    _created(),
)

# -- payables ---------------------------------------------------------------------------------------

#: Supplier bills, matched to a purchase order; one per supplier_reference per supplier.
bills = Table(
    "bills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("supplier", String(64), ForeignKey("suppliers.code"), nullable=False),
    Column("purchase_order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False, index=True),
    Column("supplier_reference", String(128), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("prices_include_tax", Boolean, nullable=False),
    Column("net_total", Amount, nullable=False),
    Column("tax_total", Amount, nullable=False),
    Column("total", Amount, nullable=False),
    Column("amount_paid", Amount, nullable=False),
    Column("status", _status(BillStatus), nullable=False, index=True),
    Column("hold_reason", Text),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    UniqueConstraint("supplier", "supplier_reference"),
)

bill_lines = Table(
    "bill_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bill_id", Integer, ForeignKey("bills.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("qty", Amount, nullable=False),
    Column("unit_cost", Amount, nullable=False),
    Column("order_unit_cost", Amount, nullable=False),
    Column("received_unit_cost", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("tax_rate", Amount, nullable=False),
    Column("net", Amount, nullable=False),
    Column("tax", Amount, nullable=False),
    Column("gross", Amount, nullable=False),
)

supplier_payments = Table(
    "supplier_payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("supplier", String(64), ForeignKey("suppliers.code"), nullable=False, index=True),
    Column("amount", Amount, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("date", Date, nullable=False),
    Column("method", String(64), nullable=False),
    Column("reference", String(128)),
    _created(),
)

supplier_payment_allocations = Table(
    "supplier_payment_allocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("supplier_payments.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("bill_id", Integer, ForeignKey("bills.id"), nullable=False, index=True),
    Column("amount", Amount, nullable=False),
    # The day it was set against the bill (the payment's, or the later call's): aging as at a day.
    Column("date", Date, nullable=False),
)

expenses = Table(
    "expenses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True),
    Column("category", String(64), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("date", Date, nullable=False),
    Column("net", Amount, nullable=False),
    Column("tax", Amount, nullable=False),
    Column("total", Amount, nullable=False),
    Column("tax_code", String(64)),
    Column("tax_rate", Amount, nullable=False),
    Column("supplier", String(64), ForeignKey("suppliers.code"), index=True),
    Column("reference", String(128)),
    Column("landed_on_receipt", Integer, ForeignKey("receipts.id")),
    Column("capitalised", Amount, nullable=False),
    Column("expensed_to_cogs", Amount, nullable=False),
    _created(),
)

# -- outbox ------------------------------------------------------------------------------------------

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(128), nullable=False),
    Column("tenant", String(64), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("correlation_id", String(128)),
    Column("causation_id", String(128)),
    Column("payload", JsonDoc, nullable=False),
    #: The envelope as published, serialised at commit (``hub.db.outbox.outbox_row``); null
    #: on rows written before it was stored, whose message is composed when read.
    Column("message", LargeBinary),
    Column("published_at", UTCDateTime()),
    # What the relay reads: the unpublished rows, in order.
    Index(
        "ix_outbox_unpublished",
        "id",
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    ),
)

# -- consumers ----------------------------------------------------------------------------------

#: Events a subscriber has applied, written in the same transaction as its effects:
#: a redelivered event finds its row and is dropped.
inbox = Table(
    "inbox",
    metadata,
    Column("subscriber", String(128), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("processed_at", UTCDateTime(), nullable=False),
)

#: How far each subscriber has read the outbox (``local`` transport).
subscriber_cursors = Table(
    "subscriber_cursors",
    metadata,
    Column("subscriber", String(128), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

#: Messages a subscriber could not handle: undecodable, unknown, or failing past the limit.
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscriber", String(128), nullable=False),
    #: ``event``: an event a subscriber failed (retried by handing it over again);
    #: ``work``: a connector's queued work past its attempts (retried by queueing it again).
    Column("kind", String(16), nullable=False, server_default="event"),
    Column("connector_id", String(64), index=True),
    Column("event_id", String(36)),
    Column("type", String(64)),
    Column("aggregate_type", String(64)),
    Column("aggregate_id", String(128)),
    Column("source", String(200), nullable=False),
    #: The message as received, for re-driving it exactly.
    Column("message", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

# -- API ------------------------------------------------------------------------------------------------

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200)),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(200), nullable=False),
    _created(),
    Column("revoked_at", UTCDateTime()),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("principal", Integer, nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Text, nullable=False),
    _created(),
    UniqueConstraint("principal", "key"),
)

# -- connectors -------------------------------------------------------------------------------------

#: One account of an external system (e.g. one Shopify store), with its mappings.
connector_instances = Table(
    "connector_instances",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("type", String(64), nullable=False),
    #: The config as Fernet-encrypted JSON (key from HUB_SECRET_KEY): it holds credentials.
    Column("config", Text, nullable=False),
    Column("mappings", JsonDoc, nullable=False),
    Column("status", String(16), nullable=False),
    _created(),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

#: Tokens a connector instance was given by its vendor since it was configured (OAuth2
#: access and rotated refresh tokens), Fernet-encrypted JSON; ``problem`` says why the
#: vendor refused its grant while the instance is ``needs_reauth``.
connector_credentials = Table(
    "connector_credentials",
    metadata,
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("secrets", Text),
    Column("problem", Text),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

#: The link between a canonical record and an external one. Unique on both sides, so
#: two concurrent deliveries of one external order cannot bind two hub orders.
bindings = Table(
    "bindings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("canonical_id", String(128), nullable=False),
    Column("external_id", String(255), nullable=False),
    #: Hash of what the hub last wrote to the external record (None: never written).
    Column("last_hash", String(64)),
    #: The external record's version as last seen (e.g. its updated_at).
    Column("last_version", String(64)),
    #: Small facts cached about the external record (e.g. a variant's inventory item).
    Column("data", JsonDoc, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    UniqueConstraint("connector_id", "entity", "canonical_id"),
    UniqueConstraint("connector_id", "entity", "external_id"),
)

#: Where each stream of each connector has read up to; never moves backwards.
connector_cursors = Table(
    "connector_cursors",
    metadata,
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("stream", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
)

#: Webhook deliveries already taken in (vendors redeliver; the id makes it harmless).
webhook_receipts = Table(
    "webhook_receipts",
    metadata,
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("webhook_id", String(255), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

#: External records a connector could not bring in, and why (shown on its status).
connector_holds = Table(
    "connector_holds",
    metadata,
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("resolved_at", UTCDateTime()),
)

#: One reconciliation of one connector and entity: its plan counts and what it wrote.
sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("trigger", String(32), nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    #: {"create": n, "update": n, "unchanged": n, "conflict": n}
    Column("counts", JsonDoc, nullable=False),
    Column("writes", Integer, nullable=False),
    Column("errors", JsonDoc, nullable=False),
    Index("ix_sync_runs_connector_id", "connector_id", "id"),
)

#: Rate-limit budgets a vendor counts per account (e.g. calls a day), shared by every
#: process of the instance: the units used in the budget's current window (see
#: hub.connectors.sdk.budgets; taken by a conditional UPDATE in hub.db.budgets).
connector_budgets = Table(
    "connector_budgets",
    metadata,
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("budget", String(32), primary_key=True),
    #: Start of the window being counted, epoch seconds (a day window starts at 00:00 UTC).
    Column("window_start", BigInteger, nullable=False),
    Column("used", Integer, nullable=False),
)

#: Work a connector instance owes the outside world (push this SKU's stock, fetch this
#: order, send this shipment), enqueued with the event that caused it and drained by
#: the instance's worker in batches, at the vendor's pace.
connector_queue = Table(
    "connector_queue",
    metadata,
    Column("connector_id", String(64), ForeignKey("connector_instances.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("key", String(255), primary_key=True),
    #: Bumped by every enqueue: an item re-enqueued while being worked stays for another pass.
    Column("version", Integer, nullable=False),
    Column("enqueued_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Index("ix_connector_queue_due", "connector_id", "due_at"),
)
