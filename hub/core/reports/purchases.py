"""Purchases: spend, received against ordered, reject rate and on-time rate, grouped.

Over the purchase orders created in the period that were approved (a cancelled order
counts only if something was received on it):

- **ordered**: Σ line quantities; **received**: Σ accepted; **rejected**: Σ rejected;
- **spend**: Σ accepted × unit cost — the value the receipts brought into stock;
- **reject rate** = rejected ÷ (accepted + rejected) × 100, at inspection;
- **on-time rate** = receipt lines on or before the order's ``expected_date`` ÷ receipt
  lines of orders that have one × 100. An order without ``expected_date`` is not
  measured (``measured`` counts the lines that were); none measured gives no rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from hub.core.numbers import ZERO, quantize
from hub.core.reports.table import Column, Report, ratio

__all__ = ["GROUPS", "OrderedLine", "ReceivedLine", "purchases_report"]

Group = Literal["supplier", "sku"]
GROUPS: tuple[Group, ...] = ("supplier", "sku")


@dataclass(frozen=True, slots=True)
class OrderedLine:
    order_id: int
    supplier: str
    sku: str
    currency: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class ReceivedLine:
    order_id: int
    supplier: str
    sku: str
    currency: str
    day: date
    accepted: Decimal
    rejected: Decimal
    unit_cost: Decimal
    #: The order's expected date, if it has one.
    expected: date | None = None


@dataclass
class _Sums:
    ordered: Decimal = ZERO
    received: Decimal = ZERO
    rejected: Decimal = ZERO
    spend: Decimal = ZERO
    measured: int = 0
    on_time: int = 0


def purchases_report(
    ordered: Iterable[OrderedLine], received: Iterable[ReceivedLine], group_by: Group, start: date, end: date
) -> Report:
    groups: dict[tuple[str, str], _Sums] = {}
    for line in ordered:
        groups.setdefault((getattr(line, group_by), line.currency), _Sums()).ordered += line.qty
    for got in received:
        sums = groups.setdefault((getattr(got, group_by), got.currency), _Sums())
        sums.received += got.accepted
        sums.rejected += got.rejected
        sums.spend += quantize(got.accepted * got.unit_cost)
        if got.expected is not None:
            sums.measured += 1
            sums.on_time += got.day <= got.expected
    rows = [
        {
            group_by: key,
            "currency": currency,
            "ordered": s.ordered,
            "received": s.received,
            "rejected": s.rejected,
            "spend": s.spend,
            "received_pct": ratio(s.received, s.ordered, scale=100),
            "reject_rate": ratio(s.rejected, s.received + s.rejected, scale=100),
            "measured": s.measured,
            "on_time_rate": ratio(Decimal(s.on_time), Decimal(s.measured), scale=100),
        }
        for (key, currency), s in sorted(groups.items())
    ]
    columns = [
        Column(group_by, "text"),
        Column("currency", "text", "the orders' currency"),
        Column("ordered", "qty", "Σ ordered"),
        Column("received", "qty", "Σ accepted at receiving"),
        Column("rejected", "qty", "Σ rejected at inspection"),
        Column("spend", "money", "Σ accepted × unit cost"),
        Column("received_pct", "ratio", "received ÷ ordered × 100"),
        Column("reject_rate", "ratio", "rejected ÷ (received + rejected) × 100"),
        Column("measured", "count", "receipt lines of orders with an expected_date"),
        Column("on_time_rate", "ratio", "on or before expected_date ÷ measured × 100 (none measured: null)"),
    ]
    notes = ["orders created from `from` to `to`; orders without expected_date are not measured for on-time"]
    return Report("purchases", columns, rows, {"from": start, "to": end, "group_by": group_by}, None, notes)
