"""Response bodies. Quantities are JSON numbers; money is a decimal string."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from hub.core.alerts import ReorderAlert
from hub.core.counts import StockCount
from hub.core.journal import JournalEntry
from hub.core.ledger import StockMove
from hub.core.numbers import ZERO, Money, Quantity, normalize
from hub.core.production import ProductionIssue, ProductionReceipt
from hub.core.purchasing import PurchaseOrder, Receipt
from hub.core.sales import SalesOrder, SalesReturn, Shipment
from hub.core.transfers import Transfer

T = TypeVar("T")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(Out, Generic[T]):
    items: list[T]
    #: Pass as ``cursor`` to get the next page; null on the last page.
    next_cursor: str | None = None


# -- master data ---------------------------------------------------------------------------------


class ProductOut(Out):
    sku: str
    name: str
    unit: str
    barcode: str | None
    list_price: Money | None
    reorder_point: Quantity | None
    reorder_max: Quantity | None
    active: bool
    tax_code: str | None
    created_at: datetime
    updated_at: datetime


class WarehouseOut(Out):
    code: str
    name: str
    created_at: datetime


class SupplierOut(Out):
    code: str
    name: str
    contact: str | None
    rating: int | None
    payment_terms_days: int | None
    created_at: datetime


class CustomerOut(Out):
    code: str
    name: str
    contact: str | None
    credit_limit: Money | None
    tax_exempt: bool
    payment_terms_days: int | None
    created_at: datetime


# -- purchasing ------------------------------------------------------------------------------------


class PurchaseOrderLineOut(Out):
    line_no: int
    sku: str
    qty: Quantity
    unit_cost: Money
    accepted: Quantity
    rejected: Quantity
    outstanding: Quantity
    tax_code: str | None = None
    #: Accepted quantity that supplier bills have charged for.
    billed: Quantity = ZERO


class ReceiptLineOut(Out):
    sku: str
    accepted: Quantity
    rejected: Quantity
    unit_cost: Money


class ReceiptOut(Out):
    id: int
    purchase_order_id: int = Field(validation_alias="order_id")
    warehouse: str
    created_at: datetime
    lines: list[ReceiptLineOut]


class PurchaseOrderOut(Out):
    id: int
    supplier: str
    warehouse: str
    currency: str
    status: str
    total: Money
    prices_include_tax: bool = False
    expected_date: date | None = None
    lines: list[PurchaseOrderLineOut]
    receipts: list[ReceiptOut] = []
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, order: PurchaseOrder, receipts: list[Receipt]) -> PurchaseOrderOut:
        out = cls.model_validate(order)
        return out.model_copy(update={"receipts": [ReceiptOut.model_validate(r) for r in receipts]})


# -- sales -------------------------------------------------------------------------------------------


class SalesOrderLineOut(Out):
    line_no: int
    sku: str
    qty: Quantity
    unit_price: Money
    reserved: Quantity
    shipped: Quantity
    returned: Quantity
    tax_code: str | None
    invoiced: Quantity
    #: An amount off the line as a whole (a channel's line-level discount).
    discount: Money = ZERO


class OrderChargeOut(Out):
    line_no: int
    kind: str
    description: str
    #: Never negative: a discount takes it off the order.
    amount: Money
    tax_code: str | None
    #: On an invoice that is not void.
    invoiced: bool


class ShipmentLineOut(Out):
    sku: str
    qty: Quantity
    cost: Money


class ShipmentOut(Out):
    id: int
    sales_order_id: int = Field(validation_alias="order_id")
    warehouse: str
    carrier: str | None
    tracking: str | None
    created_at: datetime
    lines: list[ShipmentLineOut]


class ReturnLineOut(Out):
    sku: str
    qty: Quantity
    restock: bool
    cost: Money


class ReturnOut(Out):
    id: int
    sales_order_id: int = Field(validation_alias="order_id")
    warehouse: str
    created_at: datetime
    lines: list[ReturnLineOut]


class SalesOrderOut(Out):
    id: int
    customer: str
    warehouse: str
    channel: str | None
    external_id: str | None
    currency: str
    prices_include_tax: bool
    status: str
    hold_reason: str | None
    total: Money
    lines: list[SalesOrderLineOut]
    charges: list[OrderChargeOut] = []
    shipments: list[ShipmentOut] = []
    returns: list[ReturnOut] = []
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, order: SalesOrder, shipments: list[Shipment], returns: list[SalesReturn]) -> SalesOrderOut:
        out = cls.model_validate(order)
        return out.model_copy(
            update={
                "shipments": [ShipmentOut.model_validate(s) for s in shipments],
                "returns": [ReturnOut.model_validate(r) for r in returns],
            }
        )


# -- inventory ------------------------------------------------------------------------------------------


class TransferLineOut(Out):
    sku: str
    qty: Quantity


class TransferOut(Out):
    id: int
    from_warehouse: str
    to_warehouse: str
    status: str
    lines: list[TransferLineOut]
    shipped_at: datetime
    received_at: datetime | None

    @classmethod
    def of(cls, transfer: Transfer) -> TransferOut:
        return cls.model_validate(transfer)


class CountLineOut(Out):
    sku: str
    counted: Quantity
    expected: Quantity
    variance: Quantity
    value: Money


class StockCountOut(Out):
    id: int
    warehouse: str
    created_at: datetime
    lines: list[CountLineOut]
    #: The lines whose count differed from the books (each posted a move).
    variances: list[CountLineOut]

    @classmethod
    def of(cls, count: StockCount) -> StockCountOut:
        lines = [CountLineOut.model_validate(line) for line in count.lines]
        return cls(
            id=count.id or 0,
            warehouse=count.warehouse,
            created_at=count.created_at,  # type: ignore[arg-type]
            lines=lines,
            variances=[line for line in lines if line.variance != 0],
        )


class ProductionLineOut(Out):
    sku: str
    qty: Quantity
    #: What the line's move carried: materials at average cost, goods at their share.
    cost: Money


class ProductionIssueOut(Out):
    id: int
    warehouse: str
    #: The production receipt that consumed it; null while still work in progress.
    receipt_id: int | None
    cost: Money
    lines: list[ProductionLineOut]
    created_at: datetime

    @classmethod
    def of(cls, issue: ProductionIssue) -> ProductionIssueOut:
        return cls.model_validate(issue)


class ProductionReceiptOut(Out):
    id: int
    warehouse: str
    from_issues: list[int]
    cost: Money
    lines: list[ProductionLineOut]
    created_at: datetime

    @classmethod
    def of(cls, receipt: ProductionReceipt) -> ProductionReceiptOut:
        return cls.model_validate(receipt)


class ReportColumn(Out):
    name: str
    #: How the column's values travel: money and ratio as decimal strings, qty as numbers.
    kind: str
    description: str


class ReportOut(BaseModel):
    """A report: its columns (name, kind), one object per row keyed by column name, the
    totals rows (one per currency in the books and aging reports; or null), the parameters it
    ran with, and how it computes (``notes``).
    Some reports add figures of their own (``revenue``, ``forecast_30_days`` …)."""

    model_config = ConfigDict(extra="allow")

    report: str
    parameters: dict[str, Any]
    columns: list[ReportColumn]
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]] | None
    notes: list[str]


class StockRow(Out):
    sku: str
    warehouse: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    in_transit: Quantity


class ValuationLike(Protocol):
    """A SKU's valuation (``Valuation``), or just its two figures as the read path reads them."""

    @property
    def average_cost(self) -> Decimal: ...
    @property
    def value(self) -> Decimal: ...


class LevelLike(Protocol):
    """A stock level as the ledger keeps it (``StockLevel``) or as the read path reads it."""

    @property
    def sku(self) -> str: ...
    @property
    def warehouse(self) -> str: ...
    @property
    def on_hand(self) -> Decimal: ...
    @property
    def reserved(self) -> Decimal: ...
    @property
    def available(self) -> Decimal: ...
    @property
    def in_transit(self) -> Decimal: ...


class StockSummary(Out):
    sku: str
    on_hand: Quantity
    reserved: Quantity
    available: Quantity
    in_transit: Quantity
    average_cost: Money
    #: Value of everything owned: on hand in every warehouse plus in transit.
    stock_value: Money
    warehouses: list[StockRow]
    #: With ``?channel=``: that channel, and what it may sell under its allocation.
    channel: str | None = None
    available_to_sell: Quantity | None = None

    @classmethod
    def of(cls, sku: str, levels: Sequence[LevelLike], valuation: ValuationLike | None) -> StockSummary:
        def total(name: str) -> Decimal:
            return sum((getattr(level, name) for level in levels), ZERO)

        return cls(
            sku=sku,
            on_hand=total("on_hand"),
            reserved=total("reserved"),
            available=total("available"),
            in_transit=total("in_transit"),
            average_cost=valuation.average_cost if valuation else ZERO,
            stock_value=valuation.value if valuation else ZERO,
            warehouses=[StockRow.model_validate(level) for level in levels],
        )


class Reference(Out):
    type: str
    id: int


class MoveOut(Out):
    id: int
    sku: str
    qty: Quantity
    from_location: str
    to_location: str
    unit_cost: Money
    value: Money
    reference: Reference
    created_at: datetime

    @classmethod
    def of(cls, move: StockMove) -> MoveOut:
        return cls(
            id=move.id or 0,
            sku=move.sku,
            qty=move.qty,
            from_location=move.source,
            to_location=move.destination,
            unit_cost=move.unit_cost,
            value=move.value,
            reference=Reference(type=move.reference_type, id=move.reference_id),
            created_at=move.created_at,  # type: ignore[arg-type]
        )


class AlertOut(Out):
    id: int
    sku: str
    kind: str
    available: Quantity
    on_order: Quantity
    reorder_point: Quantity | None
    reorder_max: Quantity | None
    suggested_qty: Quantity
    raised_at: datetime

    @classmethod
    def of(cls, alert: ReorderAlert) -> AlertOut:
        return cls.model_validate(alert)


class EventOut(Out):
    #: Position in the outbox; pass as ``after`` to read on from here.
    seq: int
    event_id: str
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    tenant: str
    occurred_at: datetime
    correlation_id: str | None
    causation_id: str | None
    payload: dict[str, Any]
    published_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> EventOut:
        return cls(seq=row["id"], **{k: v for k, v in row.items() if k != "id"})


# -- finance -----------------------------------------------------------------------------------


class TaxRateOut(Out):
    code: str
    name: str
    #: The rate as a fraction, a decimal string ("0.13" is 13 %).
    rate: Annotated[Decimal, PlainSerializer(lambda r: f"{normalize(r):f}", return_type=str, when_used="json")] = Field(
        json_schema_extra={"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}
    )
    created_at: datetime


class AccountOut(Out):
    role: str
    code: str
    name: str


class Accounts(Out):
    items: list[AccountOut]


class JournalLineOut(Out):
    line_no: int
    account: str
    role: str
    debit: Money
    credit: Money
    tax_code: str | None
    party: str | None


class JournalEntryOut(Out):
    id: int
    date: date
    currency: str
    source: Reference
    memo: str | None
    lines: list[JournalLineOut]
    created_at: datetime

    @classmethod
    def of(cls, entry: JournalEntry) -> JournalEntryOut:
        return cls(
            id=entry.id or 0,
            date=entry.date,
            currency=entry.currency,
            source=Reference(type=entry.source_type, id=entry.source_id),
            memo=entry.memo,
            lines=[JournalLineOut.model_validate(line) for line in entry.lines],
            created_at=entry.created_at,  # type: ignore[arg-type]
        )
