"""Reorder alerts: a SKU whose available stock leaves the band its product sets.

The band is per product (``reorder_point`` .. ``reorder_max``) and is judged on the
SKU's available stock summed over all warehouses. Below the point raises
``low_stock`` with a suggested purchase quantity that brings the SKU up to its
reorder max, counting what is already on order; above the max raises ``overstock``.
An alert clears when the SKU is back in the band.

With a demand forecast (:func:`hub.core.reports.demand.forecast_demand`: enough sales
history, 14 days or more) the low-stock suggestion instead covers the next 30 days'
forecast demand and keeps the reorder point in hand: reorder point + forecast −
available − on order (never below zero). The band still decides *whether* to alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from hub.core.catalog import Product
from hub.core.numbers import ZERO

__all__ = ["AlertKind", "Assessment", "ReorderAlert", "assess"]


class AlertKind(StrEnum):
    LOW_STOCK = "low_stock"
    OVERSTOCK = "overstock"


@dataclass(frozen=True, slots=True)
class Assessment:
    kind: AlertKind
    suggested_qty: Decimal


@dataclass(eq=False)
class ReorderAlert:
    sku: str
    kind: AlertKind
    available: Decimal
    on_order: Decimal
    reorder_point: Decimal | None
    reorder_max: Decimal | None
    suggested_qty: Decimal
    raised_at: datetime | None = None
    cleared_at: datetime | None = None
    id: int | None = None

    @property
    def active(self) -> bool:
        return self.cleared_at is None


def assess(
    product: Product, available: Decimal, on_order: Decimal, forecast: Decimal | None = None
) -> Assessment | None:
    """Which alert, if any, ``available`` stock of ``product`` calls for; ``forecast`` is
    the 30-day demand forecast, when there is one."""
    if not product.active:
        return None
    point, ceiling = product.reorder_point, product.reorder_max
    if point is not None and available < point:
        target = ceiling if ceiling is not None else point
        if forecast is not None:
            target = point + forecast
        return Assessment(AlertKind.LOW_STOCK, max(ZERO, target - available - on_order))
    if ceiling is not None and available > ceiling:
        return Assessment(AlertKind.OVERSTOCK, ZERO)
    return None
