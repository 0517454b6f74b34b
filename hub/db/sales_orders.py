"""Sales orders in storage, and the look-ups and writes a confirmation makes.

Confirming an order is the hub's hottest write, so its statements are SQLAlchemy Core,
built once here: the customer, warehouse and products in one outer-joined read that
also locks the order's stock levels; the order and its lines in one statement on
PostgreSQL (two on SQLite); none of it through the ORM's unit of work. Everything else
about orders — reading, locking and changing them later — stays with the ORM. Reads go
through ``session.execute``, which still flushes the ORM's pending changes first, so
they see what the unit of work has changed so far.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, insert, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hub.core.catalog import Customer, Product, Warehouse
from hub.core.ledger import StockLevel
from hub.core.numbers import ZERO
from hub.core.ports import OrderReferences
from hub.core.sales import OPEN_STATUSES, SalesOrder
from hub.db import tables as t
from hub.db.repositories import DocumentRepository, copy_of, duplicate
from hub.db.types import utcnow

__all__ = ["SalesOrderRepository"]

_c, _w, _p, _s = t.customers, t.warehouses, t.products, t.stock_levels
#: The order's stock levels, locked in key order: the first lock a confirmation takes.
_LOCKED = (
    select(_s)
    .where(_s.c.warehouse == bindparam("warehouse"), _s.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(_s.c.sku)
    .with_for_update()
    .cte("locked")
)
#: One row per product found (with its locked level, if any), or one row of NULL products:
#: the customer and warehouse columns are NULL where the code is unknown.
_REFERENCES = select(*_c.columns, *_w.columns, *_p.columns, *_LOCKED.c).select_from(
    select(literal(1).label("one"))
    .subquery("one")
    .outerjoin(_c, _c.c.code == bindparam("customer"))
    .outerjoin(_w, _w.c.code == bindparam("warehouse"))
    .outerjoin(_p, _p.c.sku.in_(bindparam("skus", expanding=True)))
    .outerjoin(_LOCKED, _LOCKED.c.sku == _p.c.sku)
)
_SPANS = ((Customer, _c), (Warehouse, _w), (Product, _p), (StockLevel, _s))


def _written(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.columns if column.name != "id")


_ORDER, _LINE, _CHARGE = _written(t.sales_orders), _written(t.sales_order_lines), _written(t.sales_order_charges)
_INSERT_ORDER = insert(t.sales_orders).returning(t.sales_orders.c.id)
# Matched back by line number: asking for rows in parameter order would make SQLite
# insert one row per statement.
_INSERT_LINES = insert(t.sales_order_lines).returning(t.sales_order_lines.c.id, t.sales_order_lines.c.line_no)
_INSERT_CHARGES = insert(t.sales_order_charges).returning(t.sales_order_charges.c.id, t.sales_order_charges.c.line_no)

# PostgreSQL: the order and its lines in one statement — the order's insert as a
# data-modifying CTE, the lines as columns of arrays unnested beside its new id.
_o, _l = t.sales_orders, t.sales_order_lines
_LINE_VALUES = tuple(name for name in _LINE if name != "order_id")
_NEW_ORDER = (
    insert(_o)
    .values({name: bindparam(f"o_{name}", type_=_o.c[name].type) for name in _ORDER})
    .returning(_o.c.id)
    .cte("new_order")
)
_UNNESTED = (
    func.unnest(*(bindparam(f"l_{name}", type_=ARRAY(_l.c[name].type)) for name in _LINE_VALUES))
    .table_valued(*_LINE_VALUES)
    .render_derived(name="line")
)
_INSERT_ORDER_WITH_LINES = (
    insert(_l)
    .add_cte(_NEW_ORDER)
    .from_select(
        ["order_id", *_LINE_VALUES],
        select(_NEW_ORDER.c.id, *_UNNESTED.c).select_from(_NEW_ORDER.join(_UNNESTED, true())),
    )
    .returning(_l.c.id, _l.c.order_id, _l.c.line_no)
)


def _values(record: object, columns: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in columns}


def _records(row: Row[Any]) -> list[object | None]:
    """The row's customer, warehouse, product and stock level, each None where its key is NULL."""
    found: list[object | None] = []
    start = 0
    for cls, table in _SPANS:
        values = row[start : start + len(table.columns)]
        start += len(table.columns)
        found.append(None if values[0] is None else copy_of(cls, dict(zip(table.columns.keys(), values, strict=True))))
    return found


async def _insert_children(
    conn: AsyncConnection, order_id: int, children: Sequence[Any], stmt: Any, columns: Sequence[str]
) -> None:
    """Insert an order's lines (or charges) in one statement, assigning their ids."""
    if not children:
        return
    for child in children:
        child.order_id = order_id
    by_number = {child.line_no: child for child in children}
    for child_id, line_no in await conn.execute(stmt, [_values(child, columns) for child in children]):
        by_number[line_no].id = child_id


class SalesOrderRepository(DocumentRepository[SalesOrder]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, SalesOrder)

    async def references(self, customer: str, warehouse: str, skus: Iterable[str]) -> OrderReferences:
        params = {"customer": customer, "warehouse": warehouse, "skus": sorted(set(skus))}
        rows = (await self.session.execute(_REFERENCES, params)).all()
        found_customer = found_warehouse = None
        products: dict[str, Product] = {}
        levels: dict[tuple[str, str], StockLevel] = {}
        for row in rows:
            found_customer, found_warehouse, product, level = _records(row)
            if isinstance(product, Product):
                products[product.sku] = product
            if isinstance(level, StockLevel):
                levels[(level.sku, level.warehouse)] = level
        assert found_customer is None or isinstance(found_customer, Customer)
        assert found_warehouse is None or isinstance(found_warehouse, Warehouse)
        return OrderReferences(customer=found_customer, warehouse=found_warehouse, products=products, levels=levels)

    async def add(self, document: SalesOrder) -> None:
        # Stamped here as hub/db/orm.py's listener stamps what the ORM inserts.
        document.created_at = document.created_at or utcnow()
        document.updated_at = document.updated_at or document.created_at
        conn = await self.session.connection()
        try:
            if conn.dialect.name == "postgresql" and document.lines and not document.charges:
                await self._add_in_one(conn, document)
                return
            order_id = (await conn.execute(_INSERT_ORDER, _values(document, _ORDER))).scalar_one()
            await _insert_children(conn, order_id, document.lines, _INSERT_LINES, _LINE)
            await _insert_children(conn, order_id, document.charges, _INSERT_CHARGES, _CHARGE)
        except IntegrityError as error:
            raise duplicate(error, "SalesOrder") from error
        document.id = order_id

    async def _add_in_one(self, conn: AsyncConnection, document: SalesOrder) -> None:
        params = {f"o_{name}": getattr(document, name) for name in _ORDER}
        for name in _LINE_VALUES:
            params[f"l_{name}"] = [getattr(line, name) for line in document.lines]
        by_number = {line.line_no: line for line in document.lines}
        for line_id, order_id, line_no in await conn.execute(_INSERT_ORDER_WITH_LINES, params):
            line = by_number[line_no]
            line.id, line.order_id = line_id, order_id
            document.id = order_id

    async def open_total(self, customer: str) -> Decimal:
        stmt = select(t.sales_orders.c.total).where(
            t.sales_orders.c.customer == customer, t.sales_orders.c.status.in_(OPEN_STATUSES)
        )
        return sum(await self.session.scalars(stmt), ZERO)

    async def find_by_external_id(self, channel: str, external_id: str) -> SalesOrder | None:
        stmt = select(SalesOrder).where(
            t.sales_orders.c.channel == channel,
            t.sales_orders.c.external_id == external_id,
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
