"""What the core needs from storage, as protocols.

``hub.db`` implements these over SQLAlchemy; ``tests/fakes.py`` in memory. Methods
named ``lock…`` return rows the caller may change and that no concurrent unit of work
can change until this one ends (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs one
writer at a time). To stay deadlock-free every handler locks in the same order:
documents → stock levels (sorted) → customer → valuations (sorted) → products (sorted).
(Only a new sales order locks a customer, after the levels its references lock.)
Among documents: a payment or sales order before invoices, invoices in id order (a
supplier payment before bills, bills in id order; a purchase order before its bill), and
the gap-free number series (``numbers.next``) after them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Protocol, Self, TypeVar

from hub.core.alerts import ReorderAlert
from hub.core.billing import Bill
from hub.core.catalog import Customer, Product, Supplier, Warehouse
from hub.core.counts import StockCount
from hub.core.crediting import CreditNote
from hub.core.events import DomainEvent
from hub.core.expenses import Expense
from hub.core.invoicing import Invoice
from hub.core.journal import Chart, JournalEntry
from hub.core.ledger import StockLevel, StockMove, Valuation
from hub.core.payments import Payment
from hub.core.production import ProductionIssue, ProductionReceipt
from hub.core.purchasing import PurchaseOrder, Receipt
from hub.core.sales import SalesOrder, SalesReturn, Shipment
from hub.core.supplier_payments import SupplierPayment
from hub.core.tax import TaxRate
from hub.core.transfers import Transfer

__all__ = [
    "AccountRepository",
    "AlertRepository",
    "BillRepository",
    "DocumentRepository",
    "InvoiceRepository",
    "JournalRepository",
    "MasterRepository",
    "MoveRepository",
    "NumberSeries",
    "OrderReferences",
    "ProductRepository",
    "PurchaseOrderRepository",
    "SalesOrderRepository",
    "StockRepository",
    "UnitOfWork",
    "ValuationRepository",
]

T = TypeVar("T")


class MasterRepository(Protocol[T]):
    """Warehouses, suppliers and customers, addressed by their unique code."""

    async def get(self, code: str, *, lock: bool = False) -> T | None: ...

    async def add(self, record: T) -> None:
        """Insert; raises :class:`DuplicateRecord` if the code is taken."""
        ...


class ProductRepository(MasterRepository[Product], Protocol):
    async def get_many(self, skus: Iterable[str]) -> dict[str, Product]: ...

    async def lock_many(self, skus: Iterable[str]) -> dict[str, Product]:
        """Lock these products, in SKU order; missing ones are left out. The records are
        for reading: a change to them is not stored (``get`` the product to change it)."""
        ...

    async def flush(self) -> None:
        """Write pending changes now; raises :class:`DuplicateRecord` on a taken barcode."""
        ...


class DocumentRepository(Protocol[T]):
    """Documents with a store-assigned integer id."""

    async def get(self, id: int, *, lock: bool = False) -> T | None: ...

    async def add(self, document: T) -> None:
        """Insert and assign ``document.id``."""
        ...


class PurchaseOrderRepository(DocumentRepository[PurchaseOrder], Protocol):
    async def on_order(self, skus: Sequence[str]) -> dict[str, Decimal]:
        """Quantity of each SKU still outstanding on approved purchase orders (0 if none)."""
        ...


class BillRepository(DocumentRepository[Bill], Protocol):
    async def find_by_reference(self, supplier: str, reference: str) -> Bill | None:
        """The supplier's bill with its own number ``reference``, if entered."""
        ...


@dataclass(frozen=True, slots=True)
class OrderReferences:
    """What a new sales order names, looked up together; None (or left out) where unknown.

    The customer, warehouse and products are read, not locked. ``levels`` are the
    existing stock levels of the order's SKUs in its warehouse, *locked*. All are copies:
    changing them changes nothing stored, except levels given to
    :meth:`StockRepository.save_levels`.
    """

    customer: Customer | None
    warehouse: Warehouse | None
    products: dict[str, Product]
    levels: dict[tuple[str, str], StockLevel]


class SalesOrderRepository(DocumentRepository[SalesOrder], Protocol):
    async def add(self, document: SalesOrder) -> None:
        """Insert the order with its lines and charges, assigning their ids.

        The order is written as it stands: to change it afterwards, even in the same
        unit of work, ``get(id, lock=True)`` it again.
        """
        ...

    async def references(self, customer: str, warehouse: str, skus: Iterable[str]) -> OrderReferences:
        """The customer, warehouse and products a new order names, in one look-up that
        also locks the SKUs' stock levels in the warehouse (as ``stock.lock(create=False)``)."""
        ...

    async def open_total(self, customer: str) -> Decimal:
        """Σ total of the customer's open orders (on hold, confirmed, partially shipped)."""
        ...

    async def find_by_external_id(self, channel: str, external_id: str) -> SalesOrder | None: ...


class InvoiceRepository(DocumentRepository[Invoice], Protocol):
    async def lock_many(self, ids: Iterable[int]) -> dict[int, Invoice]:
        """Lock these invoices, in id order (to stay deadlock-free); missing ones are left out."""
        ...

    async def of_order(self, order_id: int, *, lock: bool = False) -> list[Invoice]:
        """The sales order's invoices, oldest first (locked in id order with ``lock``)."""
        ...


class StockRepository(Protocol):
    async def lock(self, keys: Sequence[tuple[str, str]], *, create: bool = True) -> dict[tuple[str, str], StockLevel]:
        """Lock the levels of these SKU × warehouse keys, creating missing ones at zero
        (or, with ``create=False``, leaving them out)."""
        ...

    async def save_levels(self, levels: Iterable[StockLevel]) -> None:
        """Store these locked levels (copies, e.g. a new order's references) as they stand now."""
        ...

    async def for_skus(self, skus: Sequence[str]) -> dict[str, list[StockLevel]]:
        """Every warehouse's level of each SKU, as committed now (and changed in this unit)."""
        ...

    async def for_warehouses(self, warehouses: Sequence[str]) -> dict[str, list[StockLevel]]:
        """Every SKU's levels in these warehouses (a channel's stock), by SKU."""
        ...


class ValuationRepository(Protocol):
    async def lock(self, skus: Sequence[str]) -> dict[str, Valuation]:
        """Lock (creating empty where missing) the valuations of these SKUs."""
        ...


class MoveRepository(Protocol):
    async def add_all(self, moves: Sequence[StockMove]) -> None:
        """Append moves in order, assigning ids; moves are never changed afterwards."""
        ...

    async def shipped_daily(self, skus: Sequence[str], since: datetime) -> dict[str, dict[date, Decimal]]:
        """Quantity of each SKU shipped to customers each day (UTC) from ``since`` on."""
        ...


class AlertRepository(Protocol):
    async def active(self, skus: Sequence[str]) -> dict[str, ReorderAlert]:
        """The active alert of each SKU that has one."""
        ...

    async def add(self, alert: ReorderAlert) -> None: ...

    async def standing(self, skus: Sequence[str]) -> tuple[dict[str, ReorderAlert], dict[str, list[StockLevel]]]:
        """In one look-up: :meth:`active`, and every warehouse's level of each SKU as
        :meth:`StockRepository.for_skus` gives them (copies, for reading)."""
        ...


class AccountRepository(Protocol):
    async def chart(self) -> Chart:
        """The chart codes each role posts to now."""
        ...

    async def set_codes(self, codes: dict[str, str]) -> None:
        """Map these roles to these chart codes (others keep theirs)."""
        ...


class JournalRepository(Protocol):
    async def add(self, entry: JournalEntry) -> None:
        """Append a balanced entry, assigning ids; entries are never changed afterwards."""
        ...


class NumberSeries(Protocol):
    async def next(self, series: str) -> int:
        """The next number of ``series`` (1, 2, 3 …): gap-free, because the number is
        taken in the unit of work that uses it and comes back if that one rolls back."""
        ...


class UnitOfWork(Protocol):
    """One atomic change: its records and its events commit together or not at all."""

    @property
    def products(self) -> ProductRepository: ...

    @property
    def warehouses(self) -> MasterRepository[Warehouse]: ...

    @property
    def suppliers(self) -> MasterRepository[Supplier]: ...

    @property
    def customers(self) -> MasterRepository[Customer]: ...

    @property
    def purchase_orders(self) -> PurchaseOrderRepository: ...

    @property
    def receipts(self) -> DocumentRepository[Receipt]: ...

    @property
    def sales_orders(self) -> SalesOrderRepository: ...

    @property
    def shipments(self) -> DocumentRepository[Shipment]: ...

    @property
    def returns(self) -> DocumentRepository[SalesReturn]: ...

    @property
    def transfers(self) -> DocumentRepository[Transfer]: ...

    @property
    def stock_counts(self) -> DocumentRepository[StockCount]: ...

    @property
    def production_issues(self) -> DocumentRepository[ProductionIssue]: ...

    @property
    def production_receipts(self) -> DocumentRepository[ProductionReceipt]: ...

    @property
    def invoices(self) -> InvoiceRepository: ...

    @property
    def credit_notes(self) -> DocumentRepository[CreditNote]: ...

    @property
    def payments(self) -> DocumentRepository[Payment]: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def valuations(self) -> ValuationRepository: ...

    @property
    def moves(self) -> MoveRepository: ...

    @property
    def alerts(self) -> AlertRepository: ...

    @property
    def tax_rates(self) -> MasterRepository[TaxRate]: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def journal(self) -> JournalRepository: ...

    @property
    def numbers(self) -> NumberSeries: ...

    @property
    def bills(self) -> BillRepository: ...

    @property
    def supplier_payments(self) -> DocumentRepository[SupplierPayment]: ...

    @property
    def expenses(self) -> DocumentRepository[Expense]: ...

    @property
    def base_currency(self) -> str:
        """The currency the books are kept in (stock values, stock postings)."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back unless :meth:`commit` was called."""
        ...

    def emit(self, event: DomainEvent) -> None:
        """Queue an event to be written to the outbox by :meth:`commit`."""
        ...

    async def commit(self) -> None:
        """Commit the changes together with the outbox rows of every emitted event."""
        ...

    async def rollback(self) -> None: ...
