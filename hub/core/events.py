"""Domain events: what happened, as committed.

Each event class names its ``type`` (``<aggregate>.<past tense>``), schema ``version``
and ``aggregate_type``; :meth:`DomainEvent.aggregate_id` gives the key that keeps one
aggregate's events in order. Events are triggers for consumers, not copies of the
state to replicate: a consumer reads the current state when it acts on one.

Versions: a change a consumer could trip over (a field renamed, removed or retyped) is
a new class with the same ``type`` and the next ``version``; the old class stays in
:data:`EVENT_VERSIONS` so messages already in flight still decode, and
:data:`EVENT_TYPES` names the newest version of each type, the one the core emits.
"""

from __future__ import annotations

from typing import ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict

from hub.core.numbers import ZERO, Money, Quantity

__all__ = [
    "EVENT_TYPES",
    "EVENT_VERSIONS",
    "AllocatedToBill",
    "Allocation",
    "BillApproved",
    "BillPosted",
    "CreditNoteIssued",
    "CreditedLine",
    "CustomerUpserted",
    "DomainEvent",
    "ExpenseRecorded",
    "InvoiceIssued",
    "InvoiceVoided",
    "InvoicedLine",
    "JournalLinePosted",
    "JournalPosted",
    "PaymentAllocated",
    "PaymentReceived",
    "ProductUpserted",
    "ProductionIssued",
    "ProductionReceived",
    "PurchaseOrderApproved",
    "PurchaseOrderCancelled",
    "PurchaseOrderCreated",
    "ReceiptPosted",
    "ReorderAlertCleared",
    "ReorderAlertRaised",
    "ReturnReceived",
    "SalesOrderCancelled",
    "SalesOrderConfirmed",
    "SalesOrderOnHold",
    "SalesOrderReduced",
    "ShipmentCreated",
    "StockCountPosted",
    "StockLevelChanged",
    "StockMoved",
    "SupplierPaymentAllocated",
    "SupplierPaymentMade",
    "SupplierUpserted",
    "TaxRateUpserted",
    "TransferReceived",
    "TransferShipped",
    "WarehouseUpserted",
]


# JSON Schemas of events describe them as they travel (quantities as numbers, money as
# strings), not every input pydantic would accept.
_WIRE: Final = "serialization"


class DomainEvent(BaseModel):
    """Base of every event; subclasses set the three class variables."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_mode_override=_WIRE)

    type: ClassVar[str]
    version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]

    def aggregate_id(self) -> str:
        raise NotImplementedError  # every concrete event overrides this


# -- master data -------------------------------------------------------------------------


class ProductUpserted(DomainEvent):
    type = "product.upserted"
    aggregate_type = "product"
    sku: str
    name: str
    unit: str
    barcode: str | None
    list_price: Money | None
    reorder_point: Quantity | None
    reorder_max: Quantity | None
    active: bool
    tax_code: str | None = None

    def aggregate_id(self) -> str:
        return self.sku


class WarehouseUpserted(DomainEvent):
    type = "warehouse.upserted"
    aggregate_type = "warehouse"
    code: str
    name: str

    def aggregate_id(self) -> str:
        return self.code


class SupplierUpserted(DomainEvent):
    type = "supplier.upserted"
    aggregate_type = "supplier"
    code: str
    name: str
    contact: str | None
    rating: int | None
    payment_terms_days: int | None = None

    def aggregate_id(self) -> str:
        return self.code


class CustomerUpserted(DomainEvent):
    type = "customer.upserted"
    aggregate_type = "customer"
    code: str
    name: str
    contact: str | None
    credit_limit: Money | None
    tax_exempt: bool = False
    payment_terms_days: int | None = None

    def aggregate_id(self) -> str:
        return self.code


# -- stock --------------------------------------------------------------------------------


class StockLevelChanged(DomainEvent):
    """The stock of a SKU in a warehouse after a committed change (one per SKU × warehouse)."""

    type = "stock.level_changed"
    aggregate_type = "stock"
    sku: str
    warehouse: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    in_transit: Quantity

    def aggregate_id(self) -> str:
        return self.sku


class StockMoved(DomainEvent):
    """One ledger move; ``value`` is its cost (COGS for shipments)."""

    type = "stock.moved"
    aggregate_type = "stock"
    move_id: int
    sku: str
    qty: Quantity
    source: str
    destination: str
    unit_cost: Money
    value: Money
    reference_type: str
    reference_id: int

    def aggregate_id(self) -> str:
        return self.sku


class ReorderAlertRaised(DomainEvent):
    type = "reorder_alert.raised"
    aggregate_type = "reorder_alert"
    sku: str
    kind: str
    available: Quantity
    on_order: Quantity
    reorder_point: Quantity | None
    reorder_max: Quantity | None
    suggested_qty: Quantity

    def aggregate_id(self) -> str:
        return self.sku


class ReorderAlertCleared(DomainEvent):
    type = "reorder_alert.cleared"
    aggregate_type = "reorder_alert"
    sku: str
    kind: str
    available: Quantity

    def aggregate_id(self) -> str:
        return self.sku


# -- documents ------------------------------------------------------------------------------


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    qty: Quantity
    price: Money


class SoldLine(OrderLine):
    """A sales order's line: with its discount, an amount off the line as a whole."""

    discount: Money = ZERO


class OrderedCharge(BaseModel):
    """A sales order's charge: shipping, or an order-level discount (a positive amount taken off)."""

    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    kind: Literal["shipping", "discount"]
    description: str
    amount: Money
    tax_code: str | None = None


class _PurchaseOrderEvent(DomainEvent):
    aggregate_type = "purchase_order"
    purchase_order_id: int

    def aggregate_id(self) -> str:
        return str(self.purchase_order_id)


class PurchaseOrderCreated(_PurchaseOrderEvent):
    type = "purchase_order.created"
    supplier: str
    warehouse: str
    currency: str
    total: Money
    lines: list[OrderLine]


class PurchaseOrderApproved(_PurchaseOrderEvent):
    type = "purchase_order.approved"


class PurchaseOrderCancelled(_PurchaseOrderEvent):
    type = "purchase_order.cancelled"


class ReceiptLinePosted(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    accepted: Quantity
    rejected: Quantity
    unit_cost: Money


class ReceiptPosted(_PurchaseOrderEvent):
    type = "purchase_order.receipt_posted"
    receipt_id: int
    warehouse: str
    status: str
    lines: list[ReceiptLinePosted]


class _SalesOrderEvent(DomainEvent):
    aggregate_type = "sales_order"
    sales_order_id: int

    def aggregate_id(self) -> str:
        return str(self.sales_order_id)


class SalesOrderConfirmed(_SalesOrderEvent):
    type = "sales_order.confirmed"
    customer: str
    warehouse: str
    channel: str | None
    external_id: str | None
    currency: str
    total: Money
    lines: list[SoldLine]
    #: Shipping and order-level discounts (none on most orders).
    charges: list[OrderedCharge] = []


class SalesOrderOnHold(_SalesOrderEvent):
    type = "sales_order.on_hold"
    customer: str
    warehouse: str
    channel: str | None
    external_id: str | None
    currency: str
    total: Money
    reason: str
    lines: list[SoldLine]
    #: Shipping and order-level discounts (none on most orders).
    charges: list[OrderedCharge] = []


class SalesOrderCancelled(_SalesOrderEvent):
    type = "sales_order.cancelled"
    channel: str | None
    external_id: str | None


class ReducedLine(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    #: The line's ordered quantity now.
    qty: Quantity
    #: Units taken off it (and released from the reservation, if it held one).
    removed: Quantity


class SalesOrderReduced(_SalesOrderEvent):
    """Units came off an order before they shipped (the channel cancelled them)."""

    type = "sales_order.reduced"
    channel: str | None
    external_id: str | None
    status: str
    total: Money
    lines: list[ReducedLine]


class ShippedLine(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    qty: Quantity
    cost: Money


class ShipmentCreated(_SalesOrderEvent):
    type = "shipment.created"
    shipment_id: int
    warehouse: str
    carrier: str | None
    tracking: str | None
    status: str
    lines: list[ShippedLine]


class ReturnedLine(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    qty: Quantity
    restock: bool
    cost: Money


class ReturnReceived(_SalesOrderEvent):
    type = "return.received"
    return_id: int
    warehouse: str
    lines: list[ReturnedLine]


class TransferLineMoved(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    qty: Quantity


class _TransferEvent(DomainEvent):
    aggregate_type = "transfer"
    transfer_id: int
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLineMoved]

    def aggregate_id(self) -> str:
        return str(self.transfer_id)


class TransferShipped(_TransferEvent):
    type = "transfer.shipped"


class TransferReceived(_TransferEvent):
    type = "transfer.received"


class Variance(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    expected: Quantity
    counted: Quantity
    variance: Quantity
    value: Money


class StockCountPosted(DomainEvent):
    type = "stock_count.posted"
    aggregate_type = "stock_count"
    stock_count_id: int
    warehouse: str
    variances: list[Variance]

    def aggregate_id(self) -> str:
        return str(self.stock_count_id)


# -- production -------------------------------------------------------------------------------


class ProductionLineMoved(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str
    qty: Quantity
    cost: Money


class ProductionIssued(DomainEvent):
    """Materials left a warehouse for production, at average cost (``cost`` per line)."""

    type = "production.issued"
    aggregate_type = "production"
    issue_id: int
    warehouse: str
    cost: Money
    lines: list[ProductionLineMoved]

    def aggregate_id(self) -> str:
        return f"issue-{self.issue_id}"


class ProductionReceived(DomainEvent):
    """Finished goods came into a warehouse, worth the cost of the issues they consumed."""

    type = "production.received"
    aggregate_type = "production"
    receipt_id: int
    warehouse: str
    from_issues: list[int]
    cost: Money
    lines: list[ProductionLineMoved]

    def aggregate_id(self) -> str:
        return f"receipt-{self.receipt_id}"


# -- finance -----------------------------------------------------------------------------


class TaxRateUpserted(DomainEvent):
    type = "tax_rate.upserted"
    aggregate_type = "tax_rate"
    code: str
    name: str
    rate: str

    def aggregate_id(self) -> str:
        return self.code


class JournalLinePosted(BaseModel):
    account: str
    role: str
    debit: Money
    credit: Money
    tax_code: str | None = None
    party: str | None = None


class JournalPosted(DomainEvent):
    """An entry in the journal, balanced; ``source`` is the document that posted it."""

    type = "journal.posted"
    aggregate_type = "journal"
    entry_id: int
    date: str
    currency: str
    source_type: str
    source_id: int
    lines: list[JournalLinePosted]

    def aggregate_id(self) -> str:
        return str(self.entry_id)


# -- receivables -------------------------------------------------------------------------


class InvoicedLine(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    #: Null on a shipping or discount line.
    sku: str | None
    #: goods, shipping or discount (a discount's amounts are negative).
    kind: str = "goods"
    description: str | None = None
    qty: Quantity
    unit_price: Money
    #: An amount off a goods line (its share of the sales order line's discount).
    discount: Money = ZERO
    tax_code: str | None
    tax_rate: str
    net: Money
    tax: Money
    gross: Money


class _InvoiceEvent(DomainEvent):
    aggregate_type = "invoice"
    invoice_id: int
    number: str

    def aggregate_id(self) -> str:
        return str(self.invoice_id)


class InvoiceIssued(_InvoiceEvent):
    type = "invoice.issued"
    sales_order_id: int
    customer: str
    currency: str
    issue_date: str
    due_date: str
    net_total: Money
    tax_total: Money
    total: Money
    lines: list[InvoicedLine]


class InvoiceVoided(_InvoiceEvent):
    type = "invoice.voided"
    sales_order_id: int
    customer: str


class CreditedLine(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    sku: str | None
    kind: str = "goods"
    #: Units given back; null for a share of an amount credited.
    qty: Quantity | None
    tax_code: str | None
    net: Money
    tax: Money
    gross: Money


class CreditNoteIssued(DomainEvent):
    type = "credit_note.issued"
    aggregate_type = "credit_note"
    credit_note_id: int
    number: str
    invoice_id: int
    customer: str
    currency: str
    reason: str
    return_id: int | None
    net_total: Money
    tax_total: Money
    total: Money
    #: Taken off the invoice's amount due; the rest is the customer's credit.
    applied: Money
    unapplied: Money
    lines: list[CreditedLine]

    def aggregate_id(self) -> str:
        return str(self.credit_note_id)


class Allocation(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    invoice_id: int
    amount: Money
    #: The invoice's amount due and status after this allocation.
    amount_due: Money
    status: str


class _PaymentEvent(DomainEvent):
    aggregate_type = "payment"
    payment_id: int
    number: str
    customer: str
    currency: str
    allocations: list[Allocation]
    unallocated: Money

    def aggregate_id(self) -> str:
        return str(self.payment_id)


class PaymentReceived(_PaymentEvent):
    type = "payment.received"
    amount: Money
    date: str
    method: str
    reference: str | None


class PaymentAllocated(_PaymentEvent):
    """Customer credit of an earlier payment allocated to invoices."""

    type = "payment.allocated"


# -- payables ----------------------------------------------------------------------------------


class _BillEvent(DomainEvent):
    aggregate_type = "bill"
    bill_id: int
    number: str

    def aggregate_id(self) -> str:
        return str(self.bill_id)


class BillPosted(_BillEvent):
    """A supplier bill was entered: ``open`` (posted to the journal) or ``on_hold`` (price off)."""

    type = "bill.posted"
    supplier: str
    purchase_order_id: int
    supplier_reference: str
    status: str
    hold_reason: str | None
    currency: str
    date: str
    due_date: str
    net_total: Money
    tax_total: Money
    total: Money


class BillApproved(_BillEvent):
    """A bill on hold was approved: it is open and posted now."""

    type = "bill.approved"


class AllocatedToBill(BaseModel):
    model_config = ConfigDict(frozen=True, json_schema_mode_override=_WIRE)
    bill_id: int
    amount: Money


class SupplierPaymentMade(DomainEvent):
    type = "supplier_payment.made"
    aggregate_type = "supplier_payment"
    payment_id: int
    number: str
    supplier: str
    amount: Money
    currency: str
    date: str
    method: str
    allocations: list[AllocatedToBill]
    unallocated: Money

    def aggregate_id(self) -> str:
        return str(self.payment_id)


class SupplierPaymentAllocated(DomainEvent):
    """What a payment left unallocated (a prepayment) was set against bills later."""

    type = "supplier_payment.allocated"
    aggregate_type = "supplier_payment"
    payment_id: int
    number: str
    supplier: str
    allocations: list[AllocatedToBill]
    unallocated: Money

    def aggregate_id(self) -> str:
        return str(self.payment_id)


class ExpenseRecorded(DomainEvent):
    """An expense; ``capitalised`` is what a landed cost added to stock value."""

    type = "expense.recorded"
    aggregate_type = "expense"
    expense_id: int
    number: str
    category: str
    supplier: str | None
    currency: str
    date: str
    net: Money
    tax: Money
    total: Money
    landed_on_receipt: int | None
    capitalised: Money
    expensed_to_cogs: Money

    def aggregate_id(self) -> str:
        return str(self.expense_id)


#: Every concrete event class the hub emits or still reads, by ``(type, version)``.
EVENT_VERSIONS: dict[tuple[str, int], type[DomainEvent]] = {
    (cls.type, cls.version): cls
    for cls in (
        ProductUpserted,
        WarehouseUpserted,
        SupplierUpserted,
        CustomerUpserted,
        StockLevelChanged,
        StockMoved,
        ReorderAlertRaised,
        ReorderAlertCleared,
        PurchaseOrderCreated,
        PurchaseOrderApproved,
        PurchaseOrderCancelled,
        ReceiptPosted,
        SalesOrderConfirmed,
        SalesOrderOnHold,
        SalesOrderCancelled,
        SalesOrderReduced,
        ShipmentCreated,
        ReturnReceived,
        TransferShipped,
        TransferReceived,
        StockCountPosted,
        ProductionIssued,
        ProductionReceived,
        TaxRateUpserted,
        JournalPosted,
        BillPosted,
        BillApproved,
        SupplierPaymentMade,
        SupplierPaymentAllocated,
        ExpenseRecorded,
        InvoiceIssued,
        InvoiceVoided,
        CreditNoteIssued,
        PaymentReceived,
        PaymentAllocated,
    )
}

#: The class the core emits for each ``type``: its newest version.
EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.type: cls for cls in sorted(EVENT_VERSIONS.values(), key=lambda cls: cls.version)
}
