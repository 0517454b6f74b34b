"""Inventory: on hand, value, turnover, days of cover and slow movers, per SKU.

Every figure comes from the ledger's moves up to the period's end, for a set of places:
one warehouse, or — with none named — every warehouse plus goods in transit (what the
business owns; the value then equals the SKU's stock value). A move into the places from
outside adds its quantity and value; a move out takes them away.

- **value**: value held at the end of the period.
- **average value**: the mean of the value held at the end of each day of the period
  (a daily average, not (opening + closing) ÷ 2, so a mid-period receipt counts for
  the days it was there).
- **cogs**: value shipped to customers over the period less value returned from them.
- **turnover** = cogs ÷ average value (per period, not annualised).
- **days of cover** = on hand ÷ (quantity shipped over the period ÷ days in the period).
- **slow mover**: no shipment in the ``slow_days`` up to the period's end (or never).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hub.core.ledger import CUSTOMER, TRANSIT, VIRTUAL_LOCATIONS
from hub.core.numbers import ZERO, quantize
from hub.core.reports.table import Column, Report, ratio

__all__ = ["MoveFact", "inventory_report"]

#: Where goods are not the business's: every virtual location but transit.
_OUTSIDE = VIRTUAL_LOCATIONS - {TRANSIT}


@dataclass(frozen=True, slots=True)
class MoveFact:
    day: date
    sku: str
    qty: Decimal
    source: str
    destination: str
    value: Decimal


@dataclass
class _Sku:
    qty: Decimal = ZERO
    value: Decimal = ZERO
    daily: dict[date, Decimal] | None = None
    cogs: Decimal = ZERO
    shipped: Decimal = ZERO
    last_sale: date | None = None


def inventory_report(
    moves: Iterable[MoveFact], *, warehouse: str | None, start: date, end: date, slow_days: int
) -> Report:
    def held(location: str) -> bool:
        return location == warehouse if warehouse is not None else location not in _OUTSIDE

    skus: dict[str, _Sku] = {}
    changes: dict[str, dict[date, Decimal]] = {}
    for move in sorted(moves, key=lambda m: m.day):
        if move.day > end:
            continue
        into, out = held(move.destination), held(move.source)
        if into == out:
            continue  # within the places (a transfer between them) or elsewhere entirely
        sku = skus.setdefault(move.sku, _Sku())
        sign = 1 if into else -1
        sku.qty += sign * move.qty
        sku.value += sign * move.value
        if move.day >= start:
            day_changes = changes.setdefault(move.sku, {})
            day_changes[move.day] = day_changes.get(move.day, ZERO) + sign * move.value
        if move.source == CUSTOMER or move.destination == CUSTOMER:
            if move.day >= start:
                sku.cogs -= sign * move.value
            if move.destination == CUSTOMER:
                sku.last_sale = move.day
                if move.day >= start:
                    sku.shipped += move.qty
    days = (end - start).days + 1
    rows = []
    for code, sku in sorted(skus.items()):
        # Walk back from the closing value to each day's end.
        value, total = sku.value, ZERO
        day_changes = changes.get(code, {})
        for offset in range(days):
            day = end - timedelta(days=offset)
            total += value
            value -= day_changes.get(day, ZERO)
        average = quantize(total / days)
        daily_sales = sku.shipped / days
        since = None if sku.last_sale is None else (end - sku.last_sale).days
        rows.append(
            {
                "sku": code,
                "on_hand": sku.qty,
                "value": sku.value,
                "average_value": average,
                "cogs": sku.cogs,
                "turnover": ratio(sku.cogs, average),
                "days_of_cover": None if daily_sales == 0 else ratio(sku.qty, daily_sales),
                "last_sale": sku.last_sale,
                "slow_mover": since is None or since >= slow_days,
            }
        )
    columns = [
        Column("sku", "text"),
        Column("on_hand", "qty", "held at the period's end (no warehouse: including transit)"),
        Column("value", "money", "value held at the period's end (no warehouse: including transit)"),
        Column("average_value", "money", "mean of each day's closing value over the period"),
        Column("cogs", "money", "value shipped less value returned over the period"),
        Column("turnover", "ratio", "cogs ÷ average_value over the period"),
        Column("days_of_cover", "ratio", "on_hand ÷ average daily quantity shipped (none: no sales)"),
        Column("last_sale", "date", "last shipment on or before the period's end"),
        Column("slow_mover", "flag", "no shipment in the last slow_days days"),
    ]
    parameters = {"warehouse": warehouse, "from": start, "to": end, "slow_days": slow_days}
    notes = [
        "average_value: the daily average of closing values, not (opening + closing) ÷ 2",
        "turnover is for the period, not annualised",
    ]
    return Report("inventory", columns, rows, parameters, None, notes)
