"""Sales: quantity, net revenue, cost of goods sold and margin, grouped.

Built from :class:`Sale` facts — one per shipped line (returns as negative facts) — so
the revenue source is whatever produces them: today shipments at the order's unit price
(``hub.db.reports.sales``), later invoices, with nothing here changing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from hub.core.numbers import ZERO
from hub.core.reports.table import Column, Report, ratio

__all__ = ["GROUPS", "Sale", "group_key", "sales_report"]

Group = Literal["sku", "customer", "channel", "month"]
GROUPS: tuple[Group, ...] = ("sku", "customer", "channel", "month")


@dataclass(frozen=True, slots=True)
class Sale:
    """Goods that left (or, negative, came back) and what they earned and cost.

    ``net_revenue`` is tax-exclusive and rounded to the currency's minor unit;
    ``cogs`` is the ledger move's value (a return's is what it took back)."""

    day: date
    sku: str
    customer: str
    channel: str | None
    currency: str
    qty: Decimal
    net_revenue: Decimal
    cogs: Decimal


def group_key(sale: Sale, group_by: Group) -> str:
    if group_by == "month":
        return sale.day.strftime("%Y-%m")
    value = getattr(sale, group_by)
    return value if value is not None else ""


def sales_report(sales: Iterable[Sale], group_by: Group, start: date, end: date) -> Report:
    """One row per group and currency, over sales dated ``start``..``end`` (inclusive)."""
    groups: dict[tuple[str, str], list[Decimal]] = {}
    for sale in sales:
        if not start <= sale.day <= end:
            continue
        sums = groups.setdefault((group_key(sale, group_by), sale.currency), [ZERO, ZERO, ZERO])
        sums[0] += sale.qty
        sums[1] += sale.net_revenue
        sums[2] += sale.cogs
    rows = []
    for (key, currency), (qty, revenue, cogs) in sorted(groups.items()):
        margin = revenue - cogs
        rows.append(
            {
                group_by: key,
                "currency": currency,
                "qty": qty,
                "net_revenue": revenue,
                "cogs": cogs,
                "gross_margin": margin,
                "margin_pct": ratio(margin, revenue, scale=100),
            }
        )
    columns = [
        Column(group_by, "text", "the group (month as YYYY-MM; no channel: empty)"),
        Column("currency", "text", "the orders' currency"),
        Column("qty", "qty", "shipped less returned"),
        Column("net_revenue", "money", "Σ qty × order unit price, tax-exclusive, per line to the minor unit"),
        Column("cogs", "money", "Σ shipment move values less returns' move values"),
        Column("gross_margin", "money", "net_revenue − cogs"),
        Column("margin_pct", "ratio", "gross_margin ÷ net_revenue × 100, two places"),
    ]
    notes = [
        "revenue: shipments at their sales order's unit price until invoices exist; returns count negative",
        "cogs: the stock ledger's move values (average cost when shipped)",
    ]
    return Report("sales", columns, rows, {"from": start, "to": end, "group_by": group_by}, None, notes)
