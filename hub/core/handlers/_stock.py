"""Opening and closing a :class:`StockBook` inside a unit of work.

Every handler that touches stock does ``book = await open_book(...)``, lets the domain
act on it, then ``await close_book(uow, book)``: the moves are appended to the ledger,
what they are worth is posted to the journal (one entry per document, ``journal.posted``),
one ``stock.moved`` event per move and one ``stock.level_changed`` per SKU × warehouse
are emitted, and the reorder alerts of the SKUs touched are brought up to date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from hub.core.alerts import ReorderAlert, assess
from hub.core.catalog import Product
from hub.core.events import ReorderAlertCleared, ReorderAlertRaised, StockLevelChanged, StockMoved
from hub.core.handlers.finance import post_entry, today
from hub.core.journal import stock_entries
from hub.core.ledger import StockBook
from hub.core.numbers import ZERO
from hub.core.ports import UnitOfWork
from hub.core.reports.demand import HISTORY_DAYS, daily_history, forecast_demand

__all__ = ["close_book", "open_book", "refresh_alerts"]


async def open_book(
    uow: UnitOfWork, keys: Iterable[tuple[str, str]], *, valued: Iterable[str] = (), create: bool = True
) -> StockBook:
    """Lock the stock levels of ``keys`` and the valuations of the ``valued`` SKUs.

    ``create=False`` locks only levels that exist — enough to reserve, since a SKU never
    stocked in a warehouse has nothing available there — and saves a write.
    """
    levels = await uow.stock.lock(sorted(set(keys)), create=create)
    valuations = await uow.valuations.lock(sorted(set(valued)))
    return StockBook(levels=levels, valuations=valuations)


async def close_book(
    uow: UnitOfWork, book: StockBook, *, post: bool = True, products: Mapping[str, Product] | None = None
) -> None:
    """Append the book's moves to the ledger, post what they are worth to the journal,
    and announce both (see the module docstring).

    ``post=False`` leaves the journal to the caller, whose document posts the moves'
    value with the rest of its entry (a landed cost: Dr inventory / Cr ap, not grni).
    ``products``: ones the caller has read already, saving the alerts a look-up."""
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
    if post and any(move.value for move in book.moves):
        chart = await uow.accounts.chart()
        for entry in stock_entries(book.moves, chart, uow.base_currency, today().date()):
            await post_entry(uow, entry)
    await refresh_alerts(uow, {sku for sku, _ in book.touched}, known=products)


async def _forecasts(uow: UnitOfWork, skus: list[str], now: datetime) -> dict[str, Decimal]:
    """The 30-day demand forecast of each SKU with enough sales history (see alerts.assess)."""
    end = now.date()
    start = end - timedelta(days=HISTORY_DAYS - 1)
    shipped = await uow.moves.shipped_daily(skus, datetime.combine(start, time.min, tzinfo=UTC))
    found = {sku: forecast_demand(daily_history(shipped.get(sku, {}), start, end)) for sku in skus}
    return {sku: forecast for sku, forecast in found.items() if forecast is not None}


def _banded(product: Product | None) -> bool:
    return product is not None and (product.reorder_point is not None or product.reorder_max is not None)


async def refresh_alerts(
    uow: UnitOfWork, skus: Iterable[str], *, recheck: bool = False, known: Mapping[str, Product] | None = None
) -> None:
    """Raise, update or clear the reorder alert of each SKU to match its stock now.

    Only products with a reorder band can have an active alert: a band removed (or a
    product deactivated) is a product change, which passes ``recheck`` to clear what is
    left. Stock changes of unbanded products therefore cost one read here — none when
    the caller passes them as ``known`` (read in this unit of work, locked or not).
    """
    skus = sorted(set(skus))
    if not skus:
        return
    known = known or {}
    products = {sku: known[sku] for sku in skus if sku in known}
    if len(products) < len(skus):
        products.update(await uow.products.get_many(sku for sku in skus if sku not in products))
    watched = skus if recheck else [sku for sku in skus if _banded(products.get(sku))]
    if not watched:
        return
    # Serialise alert decisions per SKU: two warehouses changing at once must not
    # each judge the total from a stale view of the other.
    products = await uow.products.lock_many(watched)
    watched = [sku for sku in watched if sku in products]
    alerts, levels = await uow.alerts.standing(watched)
    available = {sku: sum((level.available for level in levels[sku]), ZERO) for sku in watched}
    # What is on order only shapes the suggestion of a low-stock alert.
    short = [sku for sku in watched if (point := products[sku].reorder_point) is not None and available[sku] < point]
    on_order = await uow.purchase_orders.on_order(short) if short else {}
    now = datetime.now(UTC)
    forecasts = await _forecasts(uow, short, now) if short else {}
    for sku in watched:
        product = products[sku]
        ordered = on_order.get(sku, ZERO)
        verdict = assess(product, available[sku], ordered, forecasts.get(sku))
        active = alerts.get(sku)
        if active is not None and (verdict is None or verdict.kind != active.kind):
            active.cleared_at = now
            uow.emit(ReorderAlertCleared(sku=sku, kind=active.kind, available=available[sku]))
            active = None
        if verdict is None:
            continue
        if active is None:
            alert = ReorderAlert(
                sku=sku,
                kind=verdict.kind,
                available=available[sku],
                on_order=ordered,
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
                    available=available[sku],
                    on_order=ordered,
                    reorder_point=product.reorder_point,
                    reorder_max=product.reorder_max,
                    suggested_qty=verdict.suggested_qty,
                )
            )
        else:
            # Still the same alert: keep its figures current, no new event.
            active.available, active.on_order, active.suggested_qty = available[sku], ordered, verdict.suggested_qty
            active.reorder_point, active.reorder_max = product.reorder_point, product.reorder_max
