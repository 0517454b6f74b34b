"""The SQLAlchemy unit of work: one transaction for the records *and* their events.

:meth:`SqlUnitOfWork.commit` inserts an outbox row for every event the handler
emitted, in the same transaction as the change — never "publish after commit".

Outbox ids are assigned in commit order. On PostgreSQL concurrent transactions take
sequence values in one order and may commit in another, so a reader paging by id
could step past a row that commits a moment later. Holding a transaction-scoped
advisory lock from the outbox insert to the commit closes that gap: the next writer
can only take ids once this one is visible. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.connectors.sdk.secrets import SecretBox
from hub.core.catalog import Customer, Supplier, Warehouse
from hub.core.counts import StockCount
from hub.core.crediting import CreditNote
from hub.core.errors import DuplicateRecord
from hub.core.events import DomainEvent
from hub.core.expenses import Expense
from hub.core.payments import Payment
from hub.core.production import ProductionIssue, ProductionReceipt
from hub.core.purchasing import Receipt
from hub.core.sales import SalesReturn, Shipment
from hub.core.supplier_payments import SupplierPayment
from hub.core.tax import TaxRate
from hub.core.transfers import Transfer
from hub.db import repositories as r
from hub.db import tables as t
from hub.db.connectors import SqlBindings, SqlCursors, SqlHolds, SqlWebhookReceipts, SqlWorkRequests
from hub.db.credentials import SqlCredentials
from hub.db.engine import Database
from hub.db.orm import start_mappers
from hub.db.outbox import outbox_row
from hub.db.sales_orders import SalesOrderRepository
from hub.outbox.envelope import Envelope, envelope_for
from hub.outbox.signal import CHANNEL

__all__ = ["OUTBOX_LOCK", "SqlUnitOfWork", "UnitOfWorkFactory"]

#: Advisory lock key serialising outbox inserts until commit (PostgreSQL).
OUTBOX_LOCK = 0x6A78_6368_7562  # "jxchub"

_LOCK_AND_NOTIFY = text("SELECT pg_advisory_xact_lock(:key), pg_notify(:channel, '')")


class SqlUnitOfWork:
    """Implements :class:`hub.core.ports.UnitOfWork` and, for connectors,
    :class:`hub.connectors.sdk.ports.ConnectorUnitOfWork`; use as ``async with uow: …``."""

    def __init__(
        self,
        db: Database,
        sessions: async_sessionmaker[AsyncSession],
        *,
        tenant: str,
        write: bool,
        base_currency: str = "USD",
        box: Callable[[], SecretBox] | None = None,
    ) -> None:
        self._db, self._sessions, self._tenant, self._write = db, sessions, tenant, write
        self._box = box
        self.base_currency = base_currency
        self._events: list[DomainEvent] = []
        self._locked = False
        self.session: AsyncSession
        #: Envelopes written by the last successful commit.
        self.committed: list[Envelope] = []

    async def __aenter__(self) -> Self:
        if self._write and self._db.write_lock is not None:
            await self._db.write_lock.acquire()
            self._locked = True
        self.session = self._sessions()
        #: Signals to raise once this unit commits (e.g. "work": connector work queued).
        self.session.info["hub_after_commit"] = set()
        s = self.session
        self.products = r.ProductRepository(s)
        self.warehouses = r.MasterRepository(s, Warehouse)
        self.suppliers = r.MasterRepository(s, Supplier)
        self.customers = r.MasterRepository(s, Customer)
        self.purchase_orders = r.PurchaseOrderRepository(s)
        self.receipts = r.DocumentRepository(s, Receipt)
        self.sales_orders = SalesOrderRepository(s)
        self.shipments = r.DocumentRepository(s, Shipment)
        self.returns = r.DocumentRepository(s, SalesReturn)
        self.transfers = r.DocumentRepository(s, Transfer)
        self.stock_counts = r.DocumentRepository(s, StockCount)
        self.production_issues = r.DocumentRepository(s, ProductionIssue)
        self.production_receipts = r.DocumentRepository(s, ProductionReceipt)
        self.invoices = r.InvoiceRepository(s)
        self.credit_notes = r.DocumentRepository(s, CreditNote)
        self.payments = r.DocumentRepository(s, Payment)
        self.stock = r.StockRepository(s)
        self.valuations = r.ValuationRepository(s)
        self.moves = r.MoveRepository(s)
        self.alerts = r.AlertRepository(s)
        self.tax_rates = r.MasterRepository(s, TaxRate)
        self.accounts = r.AccountRepository(s)
        self.journal = r.JournalRepository(s)
        self.numbers = r.NumberSeries(s)
        self.bills = r.BillRepository(s)
        self.supplier_payments = r.DocumentRepository(s, SupplierPayment)
        self.expenses = r.DocumentRepository(s, Expense)
        # What connectors remember (hub.connectors.sdk.ports.ConnectorUnitOfWork).
        self.bindings = SqlBindings(s)
        self.cursors = SqlCursors(s)
        self.holds = SqlHolds(s)
        self.webhook_receipts = SqlWebhookReceipts(s)
        self.work = SqlWorkRequests(s)
        self.credentials = SqlCredentials(s, self._box, write=self._write)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            # shield: a cancelled request must still give its connection back clean.
            await asyncio.shield(self._close())
        finally:
            if self._locked:
                self._locked = False
                assert self._db.write_lock is not None
                self._db.write_lock.release()

    async def _close(self) -> None:
        # close() rolls back whatever was not committed and detaches the objects read,
        # which keep their loaded state (rollback() would expire them first).
        await self.session.close()

    def emit(self, event: DomainEvent) -> None:
        self._events.append(event)

    @property
    def pending_events(self) -> list[DomainEvent]:
        return list(self._events)

    async def commit(self) -> None:
        envelopes = [envelope_for(event, tenant=self._tenant) for event in self._events]
        try:
            await self.session.flush()
            if envelopes:
                if self._db.dialect == "postgresql":
                    # One round trip for both: the lock, and a notification delivered on
                    # commit to relays in other processes (see hub.outbox.signal).
                    await self.session.execute(_LOCK_AND_NOTIFY, {"key": OUTBOX_LOCK, "channel": CHANNEL})
                await self.session.execute(insert(t.outbox), [outbox_row(envelope) for envelope in envelopes])
            await self.session.commit()
        except IntegrityError as error:
            # A unique key taken by a concurrent transaction since the handler looked.
            raise DuplicateRecord("a concurrent change took one of this record's unique keys") from error
        self._events.clear()
        self.committed = envelopes
        if envelopes:
            self._db.outbox_signal.notify()
        if "work" in self.session.info.get("hub_after_commit", ()):
            self._db.work_signal.notify()

    async def rollback(self) -> None:
        self._events.clear()
        await self.session.rollback()


class UnitOfWorkFactory:
    """Makes units of work on one database: ``factory()`` to write, ``factory.reader()`` to read."""

    def __init__(
        self, db: Database, *, tenant: str, base_currency: str = "USD", box: Callable[[], SecretBox] | None = None
    ) -> None:
        start_mappers()
        self.db = db
        #: Seals what connectors store in ``uow.credentials`` (the hub's SecretBox).
        self.box = box
        self.tenant = tenant
        self.base_currency = base_currency
        self._write = async_sessionmaker(db.write_engine, expire_on_commit=False)
        self._read = async_sessionmaker(db.engine, expire_on_commit=False)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.db, self._write, tenant=self.tenant, write=True, base_currency=self.base_currency, box=self.box
        )

    def reader(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.db, self._read, tenant=self.tenant, write=False, base_currency=self.base_currency, box=self.box
        )
