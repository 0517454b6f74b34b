"""SQLAlchemy implementations of the core's repository ports (``hub.core.ports``).

Unique constraints, not look-ups, are what keep SKUs, codes and channel orders unique:
an insert that violates one is translated here into :class:`DuplicateRecord`, so no
driver exception reaches the core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, select, tuple_, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.instrumentation import manager_of_class

from hub.core.alerts import ReorderAlert
from hub.core.billing import Bill
from hub.core.catalog import Product
from hub.core.errors import DuplicateRecord
from hub.core.invoicing import Invoice
from hub.core.journal import Chart, JournalEntry
from hub.core.ledger import CUSTOMER, StockLevel, StockMove, Valuation
from hub.core.numbers import ZERO
from hub.core.purchasing import PurchaseOrder, PurchaseOrderStatus
from hub.db import tables as t
from hub.db.upsert import insert_for, upsert_insert

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
    "ProductRepository",
    "PurchaseOrderRepository",
    "StockRepository",
    "ValuationRepository",
]

T = TypeVar("T")


def duplicate(error: IntegrityError, what: str) -> DuplicateRecord:
    """The driver's unique-key violation as the core's error, naming the field where it can."""
    message = str(error.orig).lower()
    for field in ("barcode", "external_id", "sku", "code"):
        if field in message:
            return DuplicateRecord(f"{what}: {field} is already taken", field=field)
    return DuplicateRecord(f"{what}: a record with these keys already exists")


def copy_of(cls: type[T], values: Mapping[Any, Any]) -> T:
    """A record of a mapped class made straight from a row's values, as the ORM makes the
    ones it loads: without running ``__init__`` through the instrumentation (~8× cheaper,
    which counts on the confirmation path), and in no session. Only for classes with no
    ``__post_init__``, given every field."""
    record: T = manager_of_class(cls).new_instance()
    record.__dict__.update(values)
    return record


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _flush(self, what: str) -> None:
        try:
            await self.session.flush()
        except IntegrityError as error:
            raise duplicate(error, what) from error

    async def _one(self, stmt: Select[Any], lock: bool) -> Any:
        if lock:
            # populate_existing: after waiting for the lock, see the committed values.
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()


def column(cls: type, name: str) -> ColumnElement[Any]:
    """The mapped column ``name`` of a domain class (the classes themselves stay plain)."""
    return sa_inspect(cls).columns[name]


class MasterRepository(_Repository, Generic[T]):
    def __init__(self, session: AsyncSession, cls: type[T], key: str = "code") -> None:
        super().__init__(session)
        self.cls, self.key = cls, column(cls, key)

    async def get(self, code: str, *, lock: bool = False) -> T | None:
        return cast(T | None, await self._one(select(self.cls).where(self.key == code), lock))

    async def add(self, record: T) -> None:
        self.session.add(record)
        await self._flush(self.cls.__name__.lower())


_LOCK_PRODUCTS = (
    select(t.products)
    .where(t.products.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(t.products.c.sku)
    .with_for_update()
)


class ProductRepository(MasterRepository[Product]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, Product, "sku")
        # Products read in this unit of work, by SKU: handlers ask for the same ones
        # several times (validation, then alerts), and they are in the session anyway.
        self._seen: dict[str, Product] = {}

    async def get(self, code: str, *, lock: bool = False) -> Product | None:
        product = await super().get(code, lock=lock)
        if product is not None:
            self._seen[product.sku] = product
        return product

    async def get_many(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = set(skus)
        found = {sku: self._seen[sku] for sku in wanted if sku in self._seen}
        missing = wanted - found.keys()
        if missing:
            rows = await self.session.scalars(select(Product).where(t.products.c.sku.in_(missing)))
            for product in rows:
                found[product.sku] = self._seen[product.sku] = product
        return found

    async def lock_many(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        rows = await self.session.execute(_LOCK_PRODUCTS, {"skus": wanted})
        # Copies, not the ORM's (cheaper, and a reader's): not kept with the products seen.
        return {product.sku: product for product in (copy_of(Product, row._mapping) for row in rows)}

    async def add(self, record: Product) -> None:
        await super().add(record)
        self._seen[record.sku] = record

    async def flush(self) -> None:
        await self._flush("product")


class DocumentRepository(_Repository, Generic[T]):
    def __init__(self, session: AsyncSession, cls: type[T]) -> None:
        super().__init__(session)
        self.cls = cls

    async def get(self, id: int, *, lock: bool = False) -> T | None:
        return cast(T | None, await self._one(select(self.cls).where(column(self.cls, "id") == id), lock))

    async def add(self, document: T) -> None:
        self.session.add(document)
        await self._flush(self.cls.__name__)


class PurchaseOrderRepository(DocumentRepository[PurchaseOrder]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, PurchaseOrder)

    async def on_order(self, skus: Sequence[str]) -> dict[str, Decimal]:
        open_ = (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)
        lines = t.purchase_order_lines.c
        stmt = (
            select(lines.sku, lines.qty, lines.accepted)
            .join(t.purchase_orders, t.purchase_orders.c.id == lines.order_id)
            .where(lines.sku.in_(list(skus)), t.purchase_orders.c.status.in_(open_))
        )
        # Decimals are text on SQLite, so sum here rather than in SQL.
        found = dict.fromkeys(skus, ZERO)
        for sku, qty, accepted in await self.session.execute(stmt):
            found[sku] += qty - accepted
        return found


class BillRepository(DocumentRepository[Bill]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, Bill)

    async def find_by_reference(self, supplier: str, reference: str) -> Bill | None:
        stmt = select(Bill).where(t.bills.c.supplier == supplier, t.bills.c.supplier_reference == reference)
        return (await self.session.execute(stmt)).scalar_one_or_none()


class InvoiceRepository(DocumentRepository[Invoice]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, Invoice)

    async def _locked(self, stmt: Select[Any]) -> list[Invoice]:
        stmt = stmt.order_by(t.invoices.c.id).with_for_update().execution_options(populate_existing=True)
        return list(await self.session.scalars(stmt))

    async def lock_many(self, ids: Iterable[int]) -> dict[int, Invoice]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        locked = await self._locked(select(Invoice).where(t.invoices.c.id.in_(wanted)))
        return {invoice.id: invoice for invoice in locked if invoice.id is not None}

    async def of_order(self, order_id: int, *, lock: bool = False) -> list[Invoice]:
        stmt = select(Invoice).where(t.invoices.c.sales_order_id == order_id)
        if lock:
            return await self._locked(stmt)
        return list(await self.session.scalars(stmt.order_by(t.invoices.c.id)))


def _insert_missing(dialect: str, table: Any, rows: list[dict[str, Any]]) -> Any:
    return insert_for(dialect)(table).values(rows).on_conflict_do_nothing()


_levels = t.stock_levels.c
_SAVE_LEVELS = (
    update(t.stock_levels)
    .where(_levels.sku == bindparam("k_sku"), _levels.warehouse == bindparam("k_warehouse"))
    .values(on_hand=bindparam("v_on_hand"), reserved=bindparam("v_reserved"), in_transit=bindparam("v_in_transit"))
)


class StockRepository(_Repository):
    async def lock(self, keys: Sequence[tuple[str, str]], *, create: bool = True) -> dict[tuple[str, str], StockLevel]:
        if not keys:
            return {}
        if create:
            dialect = self.session.get_bind().dialect.name
            rows = [dict(sku=s, warehouse=w, on_hand=ZERO, reserved=ZERO, in_transit=ZERO) for s, w in keys]
            await self.session.execute(_insert_missing(dialect, t.stock_levels, rows))
        stmt = (
            select(StockLevel)
            .where(tuple_(t.stock_levels.c.sku, t.stock_levels.c.warehouse).in_(list(keys)))
            .order_by(t.stock_levels.c.sku, t.stock_levels.c.warehouse)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {(level.sku, level.warehouse): level for level in await self.session.scalars(stmt)}

    async def save_levels(self, levels: Iterable[StockLevel]) -> None:
        levels = list(levels)
        if not levels:
            return
        await self.session.execute(
            _SAVE_LEVELS,
            [
                dict(
                    k_sku=v.sku,
                    k_warehouse=v.warehouse,
                    v_on_hand=v.on_hand,
                    v_reserved=v.reserved,
                    v_in_transit=v.in_transit,
                )
                for v in levels
            ],
        )
        # A copy the ORM loaded earlier in this unit of work now holds the stored values
        # too, as if read again (without being marked changed).
        identity = self.session.sync_session.identity_map
        if not len(identity):
            return
        mapper = sa_inspect(StockLevel)
        for level in levels:
            tracked = identity.get(mapper.identity_key_from_primary_key([level.sku, level.warehouse]))
            if tracked is not None and tracked is not level:
                for name in ("on_hand", "reserved", "in_transit"):
                    set_committed_value(tracked, name, getattr(level, name))

    async def for_skus(self, skus: Sequence[str]) -> dict[str, list[StockLevel]]:
        found: dict[str, list[StockLevel]] = {sku: [] for sku in skus}
        stmt = select(StockLevel).where(t.stock_levels.c.sku.in_(list(skus))).order_by(t.stock_levels.c.warehouse)
        for level in await self.session.scalars(stmt):
            found[level.sku].append(level)
        return found

    async def for_warehouses(self, warehouses: Sequence[str]) -> dict[str, list[StockLevel]]:
        """Every SKU's levels in these warehouses (a channel's stock), by SKU."""
        found: dict[str, list[StockLevel]] = {}
        stmt = (
            select(StockLevel)
            .where(t.stock_levels.c.warehouse.in_(list(warehouses)))
            .order_by(t.stock_levels.c.sku, t.stock_levels.c.warehouse)
        )
        for level in await self.session.scalars(stmt):
            found.setdefault(level.sku, []).append(level)
        return found


class ValuationRepository(_Repository):
    async def lock(self, skus: Sequence[str]) -> dict[str, Valuation]:
        if not skus:
            return {}
        dialect = self.session.get_bind().dialect.name
        rows = [dict(sku=s, quantity=ZERO, value=ZERO, average_cost=ZERO) for s in skus]
        await self.session.execute(_insert_missing(dialect, t.valuations, rows))
        stmt = (
            select(Valuation)
            .where(t.valuations.c.sku.in_(list(skus)))
            .order_by(t.valuations.c.sku)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {valuation.sku: valuation for valuation in await self.session.scalars(stmt)}


class MoveRepository(_Repository):
    async def add_all(self, moves: Sequence[StockMove]) -> None:
        if moves:
            self.session.add_all(moves)
            await self.session.flush()

    async def shipped_daily(self, skus: Sequence[str], since: datetime) -> dict[str, dict[date, Decimal]]:
        m = t.stock_moves.c
        stmt = select(m.sku, m.created_at, m.qty).where(
            m.sku.in_(list(skus)), m.destination == CUSTOMER, m.reference_type == "shipment", m.created_at >= since
        )
        daily: dict[str, dict[date, Decimal]] = {sku: {} for sku in skus}
        for sku, at, qty in (await self.session.execute(stmt)).all():
            days = daily[sku]
            days[at.date()] = days.get(at.date(), ZERO) + qty
        return daily


_alerts, _lv = t.reorder_alerts.c, t.stock_levels.c
#: Per SKU, each warehouse's level (or one row of NULLs) with the id of its active alert, if any.
_STANDING = (
    select(t.products.c.sku, _lv.warehouse, _lv.on_hand, _lv.reserved, _lv.in_transit, _alerts.id.label("alert_id"))
    .select_from(
        t.products.outerjoin(t.stock_levels, _lv.sku == t.products.c.sku).outerjoin(
            t.reorder_alerts, and_(_alerts.sku == t.products.c.sku, _alerts.cleared_at.is_(None))
        )
    )
    .where(t.products.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(t.products.c.sku, _lv.warehouse)
)

_LEVEL_FIELDS = ("sku", "warehouse", "on_hand", "reserved", "in_transit")


class AlertRepository(_Repository):
    async def active(self, skus: Sequence[str]) -> dict[str, ReorderAlert]:
        stmt = select(ReorderAlert).where(
            t.reorder_alerts.c.sku.in_(list(skus)), t.reorder_alerts.c.cleared_at.is_(None)
        )
        return {alert.sku: alert for alert in await self.session.scalars(stmt)}

    async def add(self, alert: ReorderAlert) -> None:
        self.session.add(alert)
        await self.session.flush()

    async def standing(self, skus: Sequence[str]) -> tuple[dict[str, ReorderAlert], dict[str, list[StockLevel]]]:
        levels: dict[str, list[StockLevel]] = {sku: [] for sku in skus}
        alert_ids = set()
        for row in await self.session.execute(_STANDING, {"skus": list(skus)}):
            sku, warehouse, alert_id = row.sku, row.warehouse, row.alert_id
            if warehouse is not None:
                levels[sku].append(copy_of(StockLevel, {name: row._mapping[name] for name in _LEVEL_FIELDS}))
            if alert_id is not None:
                alert_ids.add(alert_id)
        # Active alerts are few, and a judgement may change them: those come tracked.
        alerts = await self.active(skus) if alert_ids else {}
        return alerts, levels


class AccountRepository(_Repository):
    async def chart(self) -> Chart:
        rows = await self.session.execute(select(t.account_codes.c.role, t.account_codes.c.code))
        return Chart({role: code for role, code in rows})

    async def set_codes(self, codes: dict[str, str]) -> None:
        stmt = upsert_insert(self.session, t.account_codes).values(
            [dict(role=role, code=code) for role, code in codes.items()]
        )
        stmt = stmt.on_conflict_do_update(index_elements=["role"], set_={"code": stmt.excluded.code})
        await self.session.execute(stmt)


class JournalRepository(_Repository):
    async def add(self, entry: JournalEntry) -> None:
        self.session.add(entry)
        await self.session.flush()


class NumberSeries(_Repository):
    async def next(self, series: str) -> int:
        # The update locks the series' row until commit: concurrent units of work queue for
        # the next number, and a rollback gives it back, so a series never has a gap.
        stmt = (
            update(t.document_numbers)
            .where(t.document_numbers.c.series == series)
            .values(last=t.document_numbers.c.last + 1)
            .returning(t.document_numbers.c.last)
        )
        taken = (await self.session.execute(stmt)).scalar_one_or_none()
        if taken is None:
            # A series' first number: create its row (a concurrent first creates it too, and
            # one of them waits for the other), then take the number as every later one does.
            dialect = self.session.get_bind().dialect.name
            await self.session.execute(_insert_missing(dialect, t.document_numbers, [dict(series=series, last=0)]))
            taken = (await self.session.execute(stmt)).scalar_one()
        return int(taken)
