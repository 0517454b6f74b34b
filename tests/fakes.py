"""In-memory fakes of the core's storage ports (``hub.core.ports``) and of what connectors
remember (``hub.connectors.sdk.state``), for unit tests.

:class:`FakeStore` holds the committed state. Each :class:`FakeUnitOfWork` works on a
private copy of it and swaps the copy in on :meth:`~FakeUnitOfWork.commit`, so a unit
of work that is rolled back — or left without committing — undoes *everything* it did,
as a database transaction would. Committed events land in :attr:`FakeStore.outbox`
as envelopes (and in :attr:`FakeStore.events` as the events themselves), in order.

The unique keys of ``hub/db/tables.py`` are enforced on insert, so the core meets the
same :class:`DuplicateRecord` here as against a database. Concurrency is not modelled:
units of work are meant to run one after another, and a commit over a store that
another unit of work committed to in the meantime fails loudly rather than losing
an update.

    store = FakeStore()
    async with store() as uow:
        await handlers.create_warehouse(NewWarehouse(code="WH1", name="Main"), uow)
        await uow.commit()
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from hub.connectors.sdk import state
from hub.connectors.sdk.credentials import CredentialStore
from hub.connectors.sdk.state import Binding, Hold
from hub.core import ports
from hub.core.alerts import ReorderAlert
from hub.core.billing import Bill
from hub.core.catalog import Customer, Product, Supplier, Warehouse
from hub.core.counts import StockCount
from hub.core.crediting import CreditNote
from hub.core.errors import DuplicateRecord
from hub.core.events import DomainEvent
from hub.core.expenses import Expense
from hub.core.invoicing import Invoice
from hub.core.journal import Chart, JournalEntry
from hub.core.ledger import StockLevel, StockMove, Valuation
from hub.core.numbers import ZERO
from hub.core.payments import Payment
from hub.core.production import ProductionIssue, ProductionReceipt
from hub.core.purchasing import PurchaseOrder, PurchaseOrderStatus, Receipt
from hub.core.sales import OPEN_STATUSES, SalesOrder, SalesReturn, Shipment
from hub.core.supplier_payments import SupplierPayment
from hub.core.tax import TaxRate
from hub.core.transfers import Transfer
from hub.outbox.envelope import Envelope, envelope_for

__all__ = ["FakeStore", "FakeUnitOfWork", "Tables"]

T = TypeVar("T")
R = TypeVar("R")

#: Timestamps the database stamps at insert (see ``hub/db/orm.py``).
_STAMPS = ("created_at", "updated_at", "shipped_at", "raised_at")


@dataclass
class Tables:
    """Every table the core writes, as plain dicts and lists."""

    products: dict[str, Product] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    suppliers: dict[str, Supplier] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    purchase_orders: dict[int, PurchaseOrder] = field(default_factory=dict)
    receipts: dict[int, Receipt] = field(default_factory=dict)
    sales_orders: dict[int, SalesOrder] = field(default_factory=dict)
    shipments: dict[int, Shipment] = field(default_factory=dict)
    returns: dict[int, SalesReturn] = field(default_factory=dict)
    transfers: dict[int, Transfer] = field(default_factory=dict)
    stock_counts: dict[int, StockCount] = field(default_factory=dict)
    production_issues: dict[int, ProductionIssue] = field(default_factory=dict)
    production_receipts: dict[int, ProductionReceipt] = field(default_factory=dict)
    invoices: dict[int, Invoice] = field(default_factory=dict)
    credit_notes: dict[int, CreditNote] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    levels: dict[tuple[str, str], StockLevel] = field(default_factory=dict)
    valuations: dict[str, Valuation] = field(default_factory=dict)
    moves: list[StockMove] = field(default_factory=list)
    alerts: list[ReorderAlert] = field(default_factory=list)
    tax_rates: dict[str, TaxRate] = field(default_factory=dict)
    account_codes: dict[str, str] = field(default_factory=dict)
    journal: list[JournalEntry] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    bills: dict[int, Bill] = field(default_factory=dict)
    supplier_payments: dict[int, SupplierPayment] = field(default_factory=dict)
    expenses: dict[int, Expense] = field(default_factory=dict)
    # What connectors remember (hub.connectors.sdk.state), keyed as hub/db/tables.py is.
    bindings: dict[tuple[str, str, str], Binding] = field(default_factory=dict)
    cursors: dict[tuple[str, str], str] = field(default_factory=dict)
    holds: dict[tuple[str, str, str], Hold] = field(default_factory=dict)
    webhook_receipts: dict[tuple[str, str], str] = field(default_factory=dict)
    work: dict[tuple[str, str, str], int] = field(default_factory=dict)
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Instances whose grant the vendor refused (``needs_reauth``), with the reason.
    credential_problems: dict[str, str] = field(default_factory=dict)


#: Tables whose values are immutable: a shallow copy is a full one.
_FLAT = ("account_codes", "numbers", "cursors", "holds", "webhook_receipts", "work", "credential_problems")


def _copy(tables: Tables) -> Tables:
    """A copy deep enough that no change to it reaches ``tables``.

    Moves and journal entries are shared, not copied: nothing ever edits one.
    """
    copied: dict[str, Any] = {}
    for name in _TABLE_NAMES:
        rows = getattr(tables, name)
        if name in ("moves", "journal"):
            copied[name] = list(rows)
        elif name in _FLAT:
            copied[name] = dict(rows)  # immutable values
        elif name == "credentials":
            copied[name] = {key: dict(value) for key, value in rows.items()}
        elif name == "bindings":
            copied[name] = {key: dataclasses.replace(row, data=dict(row.data)) for key, row in rows.items()}
        elif isinstance(rows, dict):
            copied[name] = {key: _clone(row) for key, row in rows.items()}
        else:
            copied[name] = [_clone(row) for row in rows]
    return Tables(**copied)


_TABLE_NAMES = tuple(f.name for f in dataclasses.fields(Tables))
_IMMUTABLE = (str, int, Decimal, date, Enum, type(None))
_FIELDS: dict[type, tuple[str, ...]] = {}


def _clone(record: T) -> T:
    """A new record of the same class and values, its lines cloned too.

    Built through the constructor rather than ``copy.deepcopy``: several times faster,
    and correct even once ``hub.db.orm`` has instrumented the domain classes (as when
    integration tests ran earlier in the same process).
    """
    cls = type(record)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(record))  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name)
        if isinstance(value, list):
            value = [item if isinstance(item, _IMMUTABLE) else _clone(item) for item in value]
        elif not isinstance(value, _IMMUTABLE):
            raise TypeError(f"{cls.__name__}.{name} holds a {type(value).__name__}; teach tests/fakes.py to copy it")
        values[name] = value
    return cls(**values)


def _stamp(record: object) -> None:
    now = datetime.now(UTC)
    for name in _STAMPS:
        if hasattr(record, name) and getattr(record, name) is None:
            setattr(record, name, now)


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _t(self) -> Tables:
        return self._uow.tables

    def _next_id(self, table: str) -> int:
        return self._uow.store.next_id(table)


class FakeMasterRepository(_Repository, Generic[T]):
    """Records with a unique code; other unique columns are checked on insert too."""

    def __init__(self, uow: FakeUnitOfWork, table: str, key: str = "code", unique: Sequence[str] = ()) -> None:
        super().__init__(uow)
        self._table, self._key, self._unique = table, key, tuple(unique)

    @property
    def _rows(self) -> dict[str, T]:
        rows: dict[str, T] = getattr(self._t, self._table)
        return rows

    async def get(self, code: str, *, lock: bool = False) -> T | None:
        return self._rows.get(code)

    async def add(self, record: T) -> None:
        code = getattr(record, self._key)
        if code in self._rows:
            raise DuplicateRecord(f"{self._table}: {self._key} is already taken", field=self._key)
        self._check_unique(record, others=self._rows.values())
        record.id = self._next_id(self._table)  # type: ignore[attr-defined]
        _stamp(record)
        self._rows[code] = record

    def _check_unique(self, record: T, others: Iterable[T]) -> None:
        for name in self._unique:
            value = getattr(record, name)
            # As in SQL, NULLs never collide.
            if value is not None and any(o is not record and getattr(o, name) == value for o in others):
                raise DuplicateRecord(f"{self._table}: {name} is already taken", field=name)


class FakeProductRepository(FakeMasterRepository[Product]):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow, "products", key="sku", unique=("barcode",))

    async def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        return {sku: self._rows[sku] for sku in set(skus) if sku in self._rows}

    async def lock_many(self, skus: Iterable[str]) -> dict[str, Product]:
        # Copies, as the database's: changing them changes nothing stored.
        return {sku: dataclasses.replace(self._rows[sku]) for sku in sorted(set(skus)) if sku in self._rows}

    async def flush(self) -> None:
        # Products are edited in place, so a taken barcode shows only when "written".
        for product in self._rows.values():
            self._check_unique(product, others=self._rows.values())


class FakeDocumentRepository(_Repository, Generic[T]):
    """Documents with an assigned id; their lines get ids and a back-reference too."""

    def __init__(self, uow: FakeUnitOfWork, table: str, parent: str, lines: str = "lines") -> None:
        super().__init__(uow)
        #: ``parent`` is the name of the lines' column pointing at the document; ``lines``
        #: the document's attribute holding them (a document without any has none).
        self._table, self._parent, self._lines = table, parent, lines

    @property
    def _rows(self) -> dict[int, T]:
        rows: dict[int, T] = getattr(self._t, self._table)
        return rows

    async def get(self, id: int, *, lock: bool = False) -> T | None:
        return self._rows.get(id)

    async def add(self, document: T) -> None:
        self._check(document)
        doc_id = self._next_id(self._table)
        document.id = doc_id  # type: ignore[attr-defined]
        _stamp(document)
        for line in getattr(document, self._lines, []):
            line.id = self._next_id(f"{self._table}.lines")
            setattr(line, self._parent, doc_id)
        self._rows[doc_id] = document

    def _check(self, document: T) -> None:
        """Unique keys beyond the id; none by default."""


class FakePurchaseOrderRepository(FakeDocumentRepository[PurchaseOrder]):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow, "purchase_orders", "order_id")

    async def on_order(self, skus: Sequence[str]) -> dict[str, Decimal]:
        open_ = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)
        found = dict.fromkeys(skus, ZERO)
        for order in self._rows.values():
            if order.status in open_:
                for line in order.lines:
                    if line.sku in found:
                        found[line.sku] += line.qty - line.accepted
        return found


class FakeBillRepository(FakeDocumentRepository[Bill]):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow, "bills", "bill_id")

    def _check(self, document: Bill) -> None:
        if self._find(document.supplier, document.supplier_reference) is not None:
            raise DuplicateRecord("bills: supplier_reference is already taken", field="supplier_reference")

    def _find(self, supplier: str, reference: str) -> Bill | None:
        return next(
            (b for b in self._rows.values() if b.supplier == supplier and b.supplier_reference == reference), None
        )

    async def find_by_reference(self, supplier: str, reference: str) -> Bill | None:
        return self._find(supplier, reference)


class FakeSalesOrderRepository(FakeDocumentRepository[SalesOrder]):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow, "sales_orders", "order_id")

    def _check(self, document: SalesOrder) -> None:
        if document.channel is None or document.external_id is None:
            return
        if any(o.channel == document.channel and o.external_id == document.external_id for o in self._rows.values()):
            raise DuplicateRecord("sales_orders: external_id is already taken", field="external_id")

    async def references(self, customer: str, warehouse: str, skus: Iterable[str]) -> ports.OrderReferences:
        products, levels, skus = self._t.products, self._t.levels, set(skus)
        return ports.OrderReferences(
            customer=self._t.customers.get(customer),
            warehouse=self._t.warehouses.get(warehouse),
            products={sku: products[sku] for sku in skus if sku in products},
            # Copies, as the database's: a change not saved is lost, here as there.
            levels={
                (s, w): dataclasses.replace(level) for (s, w), level in levels.items() if w == warehouse and s in skus
            },
        )

    async def open_total(self, customer: str) -> Decimal:
        return sum((o.total for o in self._rows.values() if o.customer == customer and o.status in OPEN_STATUSES), ZERO)

    async def find_by_external_id(self, channel: str, external_id: str) -> SalesOrder | None:
        return next(
            (o for o in self._rows.values() if o.channel == channel and o.external_id == external_id),
            None,
        )


class FakeInvoiceRepository(FakeDocumentRepository[Invoice]):
    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow, "invoices", "invoice_id")

    async def lock_many(self, ids: Iterable[int]) -> dict[int, Invoice]:
        return {id: self._rows[id] for id in sorted(set(ids)) if id in self._rows}

    async def of_order(self, order_id: int, *, lock: bool = False) -> list[Invoice]:
        return [invoice for _, invoice in sorted(self._rows.items()) if invoice.sales_order_id == order_id]


class FakePaymentRepository(FakeDocumentRepository[Payment]):
    """Payments' lines are their allocations; ones added later get their ids on commit."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        super().__init__(uow, "payments", "payment_id")

    async def add(self, document: Payment) -> None:
        document.id = self._next_id(self._table)
        _stamp(document)
        self._rows[document.id] = document
        self.number(document)

    def number(self, payment: Payment) -> None:
        for allocation in payment.allocations:
            if allocation.id is None:
                allocation.id = self._next_id("payment_allocations")
                allocation.payment_id = payment.id
                _stamp(allocation)


class FakeStockRepository(_Repository):
    async def lock(self, keys: Sequence[tuple[str, str]], *, create: bool = True) -> dict[tuple[str, str], StockLevel]:
        levels = self._t.levels
        if create:
            for sku, warehouse in keys:
                levels.setdefault((sku, warehouse), StockLevel(sku=sku, warehouse=warehouse))
        return {key: levels[key] for key in keys if key in levels}

    async def save_levels(self, levels: Iterable[StockLevel]) -> None:
        for level in levels:
            self._t.levels[(level.sku, level.warehouse)] = dataclasses.replace(level)

    async def for_skus(self, skus: Sequence[str]) -> dict[str, list[StockLevel]]:
        found: dict[str, list[StockLevel]] = {sku: [] for sku in skus}
        for (sku, _), level in sorted(self._t.levels.items()):
            if sku in found:
                found[sku].append(level)
        return found

    async def for_warehouses(self, warehouses: Sequence[str]) -> dict[str, list[StockLevel]]:
        found: dict[str, list[StockLevel]] = {}
        for (sku, warehouse), level in sorted(self._t.levels.items()):
            if warehouse in warehouses:
                found.setdefault(sku, []).append(level)
        return found


class FakeValuationRepository(_Repository):
    async def lock(self, skus: Sequence[str]) -> dict[str, Valuation]:
        valuations = self._t.valuations
        for sku in skus:
            valuations.setdefault(sku, Valuation(sku=sku))
        return {sku: valuations[sku] for sku in skus}


class FakeMoveRepository(_Repository):
    async def add_all(self, moves: Sequence[StockMove]) -> None:
        for move in moves:
            move.id = self._next_id("stock_moves")
            _stamp(move)
            self._t.moves.append(move)

    async def shipped_daily(self, skus: Sequence[str], since: datetime) -> dict[str, dict[date, Decimal]]:
        daily: dict[str, dict[date, Decimal]] = {sku: {} for sku in skus}
        for move in self._t.moves:
            at = move.created_at
            shipped = move.destination == "customer" and move.reference_type == "shipment"
            if move.sku in daily and shipped and at is not None and at >= since:
                days = daily[move.sku]
                days[at.date()] = days.get(at.date(), ZERO) + move.qty
        return daily


class FakeAlertRepository(_Repository):
    async def active(self, skus: Sequence[str]) -> dict[str, ReorderAlert]:
        return {a.sku: a for a in self._t.alerts if a.sku in skus and a.cleared_at is None}

    async def standing(self, skus: Sequence[str]) -> tuple[dict[str, ReorderAlert], dict[str, list[StockLevel]]]:
        found: dict[str, list[StockLevel]] = {sku: [] for sku in skus}
        for (sku, _), level in sorted(self._t.levels.items()):
            if sku in found:
                found[sku].append(dataclasses.replace(level))
        return await self.active(skus), found

    async def add(self, alert: ReorderAlert) -> None:
        # The database allows one active alert per SKU (a partial unique index).
        if alert.cleared_at is None and await self.active([alert.sku]):
            raise DuplicateRecord(f"reorder_alerts: {alert.sku} already has an active alert", field="sku")
        alert.id = self._next_id("reorder_alerts")
        _stamp(alert)
        self._t.alerts.append(alert)


class FakeAccountRepository(_Repository):
    async def chart(self) -> Chart:
        return Chart(dict(self._t.account_codes))

    async def set_codes(self, codes: dict[str, str]) -> None:
        self._t.account_codes.update(codes)


class FakeJournalRepository(_Repository):
    async def add(self, entry: JournalEntry) -> None:
        entry.id = self._next_id("journal_entries")
        _stamp(entry)
        for line in entry.lines:
            line.id = self._next_id("journal_lines")
            line.entry_id = entry.id
        self._t.journal.append(entry)


class FakeNumberSeries(_Repository):
    async def next(self, series: str) -> int:
        self._t.numbers[series] = self._t.numbers.get(series, 0) + 1
        return self._t.numbers[series]


# -- connector state (hub.connectors.sdk.state) -----------------------------------------------


class FakeBindings(_Repository):
    def _find(self, connector_id: str, entity: str, external_id: str) -> Binding | None:
        return next(
            (
                b
                for (c, e, _), b in self._t.bindings.items()
                if c == connector_id and e == entity and b.external_id == external_id
            ),
            None,
        )

    async def by_canonical(self, connector_id: str, entity: str, canonical_id: str) -> Binding | None:
        found = self._t.bindings.get((connector_id, entity, canonical_id))
        return None if found is None else dataclasses.replace(found, data=dict(found.data))

    async def by_external(self, connector_id: str, entity: str, external_id: str) -> Binding | None:
        found = self._find(connector_id, entity, external_id)
        return None if found is None else dataclasses.replace(found, data=dict(found.data))

    async def all(self, connector_id: str, entity: str) -> list[Binding]:
        return [
            dataclasses.replace(b, data=dict(b.data))
            for (c, e, _), b in sorted(self._t.bindings.items(), key=lambda item: item[1].id or 0)
            if c == connector_id and e == entity
        ]

    async def many(self, connector_id: str, entity: str, canonical_ids: Iterable[str]) -> dict[str, Binding]:
        found = {}
        for canonical in set(canonical_ids):
            binding = await self.by_canonical(connector_id, entity, canonical)
            if binding is not None:
                found[canonical] = binding
        return found

    async def last_hashes(self, connector_id: str, entity: str, canonical_ids: Iterable[str]) -> dict[str, str]:
        found = await self.many(connector_id, entity, canonical_ids)
        return {key: b.last_hash for key, b in found.items() if b.last_hash is not None}

    async def remember(self, connector_id: str, entity: str, written: Mapping[str, tuple[str, str]]) -> None:
        for canonical, (external, last_hash) in written.items():
            known = self._t.bindings.get((connector_id, entity, canonical))
            if known is None:
                await self.add(Binding(connector_id, entity, canonical, external, last_hash=last_hash))
            else:
                known.external_id, known.last_hash, known.updated_at = external, last_hash, datetime.now(UTC)

    async def add(self, binding: Binding) -> None:
        key = (binding.connector_id, binding.entity, binding.canonical_id)
        if key in self._t.bindings or self._find(*key[:2], binding.external_id) is not None:
            raise DuplicateRecord(f"{binding.entity} {binding.external_id} of {binding.connector_id} is already bound")
        binding.id = self._next_id("bindings")
        binding.updated_at = datetime.now(UTC)
        self._t.bindings[key] = dataclasses.replace(binding, data=dict(binding.data))

    async def save(self, binding: Binding) -> None:
        key = (binding.connector_id, binding.entity, binding.canonical_id)
        if key in self._t.bindings:
            binding.updated_at = datetime.now(UTC)
            self._t.bindings[key] = dataclasses.replace(binding, data=dict(binding.data), id=self._t.bindings[key].id)


class FakeCursors(_Repository):
    async def get(self, connector_id: str, stream: str) -> str | None:
        return self._t.cursors.get((connector_id, stream))

    async def advance(self, connector_id: str, stream: str, value: str) -> str:
        now = self._t.cursors.get((connector_id, stream))
        if now is None or value > now:
            self._t.cursors[(connector_id, stream)] = now = value
        return now


class FakeHolds(_Repository):
    async def hold(self, connector_id: str, entity: str, external_id: str, reason: str) -> None:
        key, now = (connector_id, entity, external_id), datetime.now(UTC)
        first = self._t.holds[key].first_seen if key in self._t.holds else now
        self._t.holds[key] = Hold(connector_id, entity, external_id, reason, first, now)

    async def release(self, connector_id: str, entity: str, external_id: str) -> None:
        self._t.holds.pop((connector_id, entity, external_id), None)

    async def active(self, connector_id: str) -> list[Hold]:
        return [hold for (c, _, _), hold in sorted(self._t.holds.items()) if c == connector_id]


class FakeWebhookReceipts(_Repository):
    async def first_time(self, connector_id: str, webhook_id: str, topic: str) -> bool:
        if (connector_id, webhook_id) in self._t.webhook_receipts:
            return False
        self._t.webhook_receipts[(connector_id, webhook_id)] = topic
        return True


class FakeWorkRequests(_Repository):
    async def enqueue(self, connector_id: str, kind: str, keys: Iterable[str]) -> None:
        for key in dict.fromkeys(keys):
            self._t.work[(connector_id, kind, key)] = self._t.work.get((connector_id, kind, key), 0) + 1


class FakeCredentials(_Repository):
    """Tokens in the clear (nothing to protect in memory); ``lock`` is an asyncio lock per
    instance, held until the unit of work commits or ends, as a transaction's lock."""

    async def lock(self, connector_id: str) -> None:
        lock = self._uow.store.credential_locks.setdefault(connector_id, asyncio.Lock())
        await lock.acquire()
        self._uow.held.append(lock)

    async def get(self, connector_id: str) -> dict[str, Any] | None:
        found = self._t.credentials.get(connector_id)
        return None if found is None else dict(found)

    async def put(self, connector_id: str, secrets: Mapping[str, Any]) -> None:
        self._t.credentials[connector_id] = dict(secrets)

    async def needs_reauth(self, connector_id: str, reason: str) -> None:
        self._t.credential_problems[connector_id] = reason


class FakeUnitOfWork:
    """Implements :class:`hub.connectors.sdk.ports.ConnectorUnitOfWork` (and so
    :class:`hub.core.ports.UnitOfWork`) over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self._tables: Tables | None = None
        self._version = store.version
        self._events: list[DomainEvent] = []
        #: Envelopes written by the last successful commit (as ``SqlUnitOfWork``).
        self.committed: list[Envelope] = []
        # Typed as the ports, so a type checker holds each fake to its protocol.
        self.products: ports.ProductRepository = FakeProductRepository(self)
        self.warehouses: ports.MasterRepository[Warehouse] = FakeMasterRepository(self, "warehouses")
        self.suppliers: ports.MasterRepository[Supplier] = FakeMasterRepository(self, "suppliers")
        self.customers: ports.MasterRepository[Customer] = FakeMasterRepository(self, "customers")
        self.purchase_orders: ports.PurchaseOrderRepository = FakePurchaseOrderRepository(self)
        self.receipts: ports.DocumentRepository[Receipt] = FakeDocumentRepository(self, "receipts", "receipt_id")
        self.sales_orders: ports.SalesOrderRepository = FakeSalesOrderRepository(self)
        self.shipments: ports.DocumentRepository[Shipment] = FakeDocumentRepository(self, "shipments", "shipment_id")
        self.returns: ports.DocumentRepository[SalesReturn] = FakeDocumentRepository(self, "returns", "return_id")
        self.transfers: ports.DocumentRepository[Transfer] = FakeDocumentRepository(self, "transfers", "transfer_id")
        self.stock_counts: ports.DocumentRepository[StockCount] = FakeDocumentRepository(
            self, "stock_counts", "count_id"
        )
        self.production_issues: ports.DocumentRepository[ProductionIssue] = FakeDocumentRepository(
            self, "production_issues", "issue_id"
        )
        self.production_receipts: ports.DocumentRepository[ProductionReceipt] = FakeDocumentRepository(
            self, "production_receipts", "receipt_id"
        )
        self.invoices: ports.InvoiceRepository = FakeInvoiceRepository(self)
        self.credit_notes: ports.DocumentRepository[CreditNote] = FakeDocumentRepository(
            self, "credit_notes", "credit_note_id"
        )
        self.payments: ports.DocumentRepository[Payment] = FakePaymentRepository(self)
        self.stock: ports.StockRepository = FakeStockRepository(self)
        self.valuations: ports.ValuationRepository = FakeValuationRepository(self)
        self.moves: ports.MoveRepository = FakeMoveRepository(self)
        self.alerts: ports.AlertRepository = FakeAlertRepository(self)
        self.tax_rates: ports.MasterRepository[TaxRate] = FakeMasterRepository(self, "tax_rates")
        self.accounts: ports.AccountRepository = FakeAccountRepository(self)
        self.journal: ports.JournalRepository = FakeJournalRepository(self)
        self.numbers: ports.NumberSeries = FakeNumberSeries(self)
        self.bills: ports.BillRepository = FakeBillRepository(self)
        self.supplier_payments: ports.DocumentRepository[SupplierPayment] = FakeDocumentRepository(
            self, "supplier_payments", "payment_id", lines="allocations"
        )
        self.expenses: ports.DocumentRepository[Expense] = FakeDocumentRepository(self, "expenses", "expense_id")
        self.base_currency = store.base_currency
        self.bindings: state.BindingRepository = FakeBindings(self)
        self.cursors: state.CursorRepository = FakeCursors(self)
        self.holds: state.HoldRepository = FakeHolds(self)
        self.webhook_receipts: state.WebhookReceipts = FakeWebhookReceipts(self)
        self.work: state.WorkRequests = FakeWorkRequests(self)
        self.credentials: CredentialStore = FakeCredentials(self)
        #: Locks taken through ``credentials.lock``, released when the transaction ends.
        self.held: list[asyncio.Lock] = []

    @property
    def tables(self) -> Tables:
        """This transaction's private copy of the committed state, taken at first use."""
        if self._tables is None:
            self._version = self.store.version
            self._tables = _copy(self.store.tables)
        return self._tables

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    @property
    def pending_events(self) -> list[DomainEvent]:
        return list(self._events)

    async def commit(self) -> None:
        tables = self.tables
        if self.store.version != self._version:
            raise RuntimeError("another unit of work committed meanwhile; the fake does not model concurrency")
        envelopes = [envelope_for(event, tenant=self.store.tenant) for event in self._events]
        # The store takes its own copy: objects the handler returned stay with this
        # unit of work, so editing them afterwards cannot reach the committed state.
        self.store.tables = _copy(tables)
        self.store.version += 1
        self.store.outbox.extend(envelopes)
        self.store.events.extend(self._events)
        self._version = self.store.version
        self._events.clear()
        self.committed = envelopes
        self._release()

    async def rollback(self) -> None:
        """Forget every change and event since the last commit."""
        self._tables = None
        self._events.clear()
        self._release()

    def _release(self) -> None:
        while self.held:
            self.held.pop().release()


class FakeStore:
    """The committed state and outbox; call it for a new unit of work (``store()``)."""

    def __init__(self, *, tenant: str = "test", base_currency: str = "USD") -> None:
        self.tenant = tenant
        self.base_currency = base_currency
        self.tables = Tables()
        self.version = 0
        self.outbox: list[Envelope] = []
        self.events: list[DomainEvent] = []
        self.credential_locks: dict[str, asyncio.Lock] = {}
        # Like database sequences, ids are never handed out twice, even when the
        # insert that took one is rolled back.
        self._ids: dict[str, itertools.count[int]] = {}

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    #: Reads and writes look alike in memory (``UnitOfWorkFactory.reader`` in hub.db).
    reader = __call__

    def next_id(self, table: str) -> int:
        return next(self._ids.setdefault(table, itertools.count(1)))

    async def run(self, handler: Callable[..., Awaitable[R]], *args: Any, **kwargs: Any) -> R:
        """Run ``handler(*args, uow, **kwargs)`` in a fresh unit of work and commit it."""
        async with self() as uow:
            result = await handler(*args, uow, **kwargs)
            await uow.commit()
        return result
