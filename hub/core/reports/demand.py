"""Demand: a SKU's daily sales history and a 30-day forecast by simple exponential smoothing.

**Method.** History is the quantity shipped each day (UTC), zero on days without a
shipment, from the first day with one inside the window up to the window's last day —
days before the SKU first sold are not history. Simple exponential smoothing with
``ALPHA = 0.3``: the level starts at the first day's quantity and each day moves 30 %
of the way to that day's quantity (``level = α·x + (1 − α)·level``). The forecast for
each of the next 30 days is the final level (SES has no trend or season), and the
30-day demand is 30 × level. With fewer than ``MIN_HISTORY`` (14) days of history there
is no forecast: too little to smooth.

The ``low_stock`` alert uses :func:`forecast_demand` when there is one (see
:func:`hub.core.alerts.assess`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from hub.core.numbers import ZERO, as_json_number, quantize
from hub.core.reports.table import Column, Report

__all__ = [
    "ALPHA",
    "HISTORY_DAYS",
    "HORIZON",
    "MIN_HISTORY",
    "daily_history",
    "demand_report",
    "forecast_demand",
    "smoothed_level",
]

ALPHA = Decimal("0.3")
HORIZON = 30
MIN_HISTORY = 14
#: How far back the alerts look for history (the report's default window too).
HISTORY_DAYS = 90


def daily_history(shipped: Mapping[date, Decimal], start: date, end: date) -> list[tuple[date, Decimal]]:
    """Each day's quantity from the first shipment in ``start``..``end`` to ``end``, zeros filled."""
    days = [day for day in shipped if start <= day <= end and shipped[day] != 0]
    if not days:
        return []
    first = min(days)
    return [(day, shipped.get(day, ZERO)) for day in (first + timedelta(n) for n in range((end - first).days + 1))]


def smoothed_level(quantities: Sequence[Decimal]) -> Decimal:
    level = quantities[0]
    for qty in quantities[1:]:
        level = ALPHA * qty + (1 - ALPHA) * level
    return quantize(level)


def forecast_demand(history: Sequence[tuple[date, Decimal]]) -> Decimal | None:
    """Forecast quantity over the next :data:`HORIZON` days, or None with too little history."""
    if len(history) < MIN_HISTORY:
        return None
    return smoothed_level([qty for _, qty in history]) * HORIZON


def demand_report(sku: str, shipped: Mapping[date, Decimal], start: date, end: date) -> Report:
    history = daily_history(shipped, start, end)
    rows = [{"date": day, "qty": qty, "kind": "history"} for day, qty in history]
    level = smoothed_level([qty for _, qty in history]) if history else None
    enough = len(history) >= MIN_HISTORY
    if level is not None and enough:
        rows += [{"date": end + timedelta(n), "qty": level, "kind": "forecast"} for n in range(1, HORIZON + 1)]
    columns = [
        Column("date", "date"),
        Column("qty", "qty", "history: shipped that day; forecast: the smoothed level"),
        Column("kind", "text", "history or forecast"),
    ]
    notes = [
        f"simple exponential smoothing, alpha {ALPHA}, level starting at the first day's quantity;"
        f" forecast flat at the final level for {HORIZON} days; none with fewer than {MIN_HISTORY} days of history",
    ]
    report = Report("demand", columns, rows, {"sku": sku, "from": start, "to": end}, None, notes)
    forecast = None if level is None or not enough else level * HORIZON
    report.extra = {
        "method": "simple exponential smoothing",
        "alpha": f"{ALPHA}",
        "history_days": len(history),
        "forecast_30_days": None if forecast is None else as_json_number(forecast),
    }
    return report
