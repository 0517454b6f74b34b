"""Opening and closing a :class:`StockBook` inside a unit of work.

Every handler that touches stock does ``book = await open_book(...)``, lets the domain
act on it, then ``await close_book(uow, book)``: the moves are appended to the ledger,
one ``stock.moved`` event per move and one ``stock.level_changed`` per SKU × warehouse
are emitted, and the reorder alerts of the SKUs touched are brought up to date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from hub.core.alerts import ReorderAlert, assess
from hub.core.events import ReorderAlertCleared, ReorderAlertRaised, StockLevelChanged, StockMoved
from hub.core.ledger import StockBook
from hub.core.numbers import ZERO
from hub.core.ports import UnitOfWork

__all__ = ["close_book", "open_book", "refresh_alerts"]


async def open_book(uow: UnitOfWork, keys: Iterable[tuple[str, str]], *, valued: Iterable[str] = ()) -> StockBook:
    """Lock the stock levels of ``keys`` and the valuations of the ``valued`` SKUs."""
    levels = await uow.stock.lock(sorted(set(keys)))
    valuations = await uow.valuations.lock(sorted(set(valued)))
    return StockBook(levels=levels, valuations=valuations)


async def close_book(uow: UnitOfWork, book: StockBook) -> None:
    await uow.moves.add_all(book.moves)
    for move in book.moves:
        assert move.id is not None
        uow.emit(
            StockMoved(
                move_id=move.id,
                sku=move.sku,
                qty=move.qty,
                source=move.source,
                destination=move.destination,
                unit_cost=move.unit_cost,
                value=move.value,
                reference_type=move.reference_type,
                reference_id=move.reference_id,
            )
        )
    for level in book.touched.values():
        uow.emit(
            StockLevelChanged(
                sku=level.sku,
                warehouse=level.warehouse,
                on_hand=level.on_hand,
                reserved=level.reserved,
                available=level.available,
                in_transit=level.in_transit,
            )
        )
    await refresh_alerts(uow, {sku for sku, _ in book.touched})


async def refresh_alerts(uow: UnitOfWork, skus: Iterable[str]) -> None:
    """Raise, update or clear the reorder alert of each SKU to match its stock now."""
    skus = sorted(set(skus))
    products = await uow.products.get_many(skus)
    watched = []
    for sku in skus:
        product = products.get(sku)
        banded = product is not None and (product.reorder_point is not None or product.reorder_max is not None)
        if banded or await uow.alerts.active(sku) is not None:
            watched.append(sku)
    if not watched:
        return
    # Serialise alert decisions per SKU: two warehouses changing at once must not
    # each judge the total from a stale view of the other.
    products = await uow.products.lock_many(watched)
    now = datetime.now(UTC)
    for sku in watched:
        product = products[sku]
        available = sum((level.available for level in await uow.stock.for_sku(sku)), ZERO)
        on_order = await uow.purchase_orders.on_order(sku) if product.reorder_point is not None else ZERO
        verdict = assess(product, available, on_order)
        active = await uow.alerts.active(sku)
        if active is not None and (verdict is None or verdict.kind != active.kind):
            active.cleared_at = now
            uow.emit(ReorderAlertCleared(sku=sku, kind=active.kind, available=available))
            active = None
        if verdict is None:
            continue
        if active is None:
            alert = ReorderAlert(
                sku=sku,
                kind=verdict.kind,
                available=available,
                on_order=on_order,
                reorder_point=product.reorder_point,
                reorder_max=product.reorder_max,
                suggested_qty=verdict.suggested_qty,
                raised_at=now,
            )
            await uow.alerts.add(alert)
            uow.emit(
                ReorderAlertRaised(
                    sku=sku,
                    kind=alert.kind,
                    available=available,
                    on_order=on_order,
                    reorder_point=product.reorder_point,
                    reorder_max=product.reorder_max,
                    suggested_qty=verdict.suggested_qty,
                )
            )
        else:
            # Still the same alert: keep its figures current, no new event.
            active.available, active.on_order, active.suggested_qty = available, on_order, verdict.suggested_qty
            active.reorder_point, active.reorder_max = product.reorder_point, product.reorder_max
