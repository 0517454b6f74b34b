"""What the demo left in the database, and where to look next.

The summary is read back from the database rather than remembered from loading, so
a second ``hub demo`` shows the same figures — and shows drift if someone has been
trading in the demo books since.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from hub.bootstrap import Hub
from hub.cli.reports import show as show_report
from hub.config import Settings
from hub.core.handlers.finance import today
from hub.core.numbers import normalize
from hub.core.reports import Report
from hub.db import tables as t
from hub.db.reports import ReportQueries
from hub.demo.business import LOW_SKU, SHOWCASE_SKU
from hub.demo.load import count_rows

__all__ = ["DemoReport", "Summary", "show", "summarize"]


@dataclass(frozen=True)
class Summary:
    """What the database holds, in the words of the trade."""

    #: warehouses / suppliers / customers / products → how many.
    master: dict[str, int]
    #: (what, how many, detail) per kind of document.
    documents: list[tuple[str, int, str]]
    #: (sku, kind, available, suggested purchase qty) of every active reorder alert.
    alerts: list[tuple[str, str, Decimal, Decimal]]
    #: The journal summed per account, as ``hub report trial-balance`` prints it.
    trial_balance: Report


@dataclass(frozen=True)
class DemoReport:
    #: False when the demo was already there and nothing was written.
    loaded: bool
    summary: Summary
    #: A new admin API key (shown once) and its id, for ``hub keys revoke``.
    key: str
    key_id: int


async def _by_status(session: AsyncSession, table: Any) -> tuple[int, str]:
    rows = (await session.execute(select(table.c.status, func.count()).group_by(table.c.status))).all()
    detail = ", ".join(f"{n} {status}" for status, n in sorted(rows, key=lambda row: (-row[1], str(row[0]))))
    return sum(n for _, n in rows), detail


async def _nonzero(session: AsyncSession, column: Any, key: Any) -> int:
    """How many distinct ``key`` values have a row whose ``column`` is not zero.

    Decimals are text on SQLite (``"0"`` and ``"0.000"`` alike), so compare here, not in SQL.
    """
    rows = await session.execute(select(key, column))
    return len({k for k, value in rows if value != 0})


async def summarize(hub: Hub) -> Summary:
    async with hub.uow.reader() as uow:
        s = uow.session
        master = {
            name: await count_rows(s, getattr(t, name)) for name in ("warehouses", "suppliers", "customers", "products")
        }
        rejected = await _nonzero(s, t.receipt_lines.c.rejected, t.receipt_lines.c.receipt_id)
        restocked = await count_rows(s, t.return_lines, t.return_lines.c.restock.is_(True))
        scrapped = await count_rows(s, t.return_lines, t.return_lines.c.restock.is_(False))
        variances = await _nonzero(s, t.stock_count_lines.c.variance, t.stock_count_lines.c.id)
        documents = [
            ("purchase orders", *await _by_status(s, t.purchase_orders)),
            ("receipts", await count_rows(s, t.receipts), f"{rejected} with goods rejected at inspection"),
            ("sales orders", *await _by_status(s, t.sales_orders)),
            ("shipments", await count_rows(s, t.shipments), "with carrier and tracking number"),
            ("returns", await count_rows(s, t.sales_returns), f"lines: {restocked} restocked, {scrapped} scrapped"),
            ("transfers", *await _by_status(s, t.transfers)),
            ("stock counts", await count_rows(s, t.stock_counts), f"lines with a variance: {variances}"),
            ("stock moves", await count_rows(s, t.stock_moves), "the double-entry ledger"),
            ("invoices", *await _by_status(s, t.invoices)),
            ("customer payments", await count_rows(s, t.payments), "set against invoices"),
            ("supplier bills", *await _by_status(s, t.bills)),
            ("supplier payments", await count_rows(s, t.supplier_payments), "set against bills"),
            ("expenses", await count_rows(s, t.expenses), "not goods: freight, storage, …"),
            ("journal entries", await count_rows(s, t.journal_entries), "GET /v1/journal"),
            ("events", await count_rows(s, t.outbox), "in the outbox (GET /v1/events)"),
        ]
        a = t.reorder_alerts.c
        rows = await s.execute(
            select(a.sku, a.kind, a.available, a.suggested_qty).where(a.cleared_at.is_(None)).order_by(a.kind, a.sku)
        )
        alerts = [(sku, str(kind), available, suggested) for sku, kind, available, suggested in rows]
        # As at today: every demo entry is dated today or before (the invoices are issued today).
        balance = await ReportQueries(s).trial_balance(today().date())
    return Summary(master=master, documents=documents, alerts=alerts, trial_balance=balance)


def show(console: Console, report: DemoReport, settings: Settings, *, hints: bool = True) -> None:
    """The summary, then (``hints``) the key and what to try next."""
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    if report.loaded:
        console.print(f"[green]Loaded the demo business[/] (tea and teaware) into {where}", highlight=False)
    else:
        console.print(f"[yellow]The demo is already loaded[/] in {where}; nothing was changed.", highlight=False)
    console.print(", ".join(f"{n} {name}" for name, n in report.summary.master.items()))
    documents = Table("document", "count", "detail")
    for name, n, detail in report.summary.documents:
        documents.add_row(name, str(n), detail)
    console.print(documents)
    alerts = Table("sku", "reorder alert", "available", "suggested purchase")
    for sku, kind, available, suggested in report.summary.alerts:
        alerts.add_row(sku, kind, str(normalize(available)), str(normalize(suggested)) if suggested else "")
    console.print(alerts)
    show_report(report.summary.trial_balance, console)
    if hints:
        _hints(console, report, settings)


def _hints(console: Console, report: DemoReport, settings: Settings) -> None:
    # Commands are printed unwrapped and unstyled so that they paste into a shell as they are.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{host}:{settings.port}"
    console.print(f"\nAn admin API key, shown once (withdraw it with: hub keys revoke {report.key_id}):")
    console.print(report.key, soft_wrap=True, highlight=False, markup=False)
    console.print("\nStart the API (same HUB_DATABASE_URL): [bold]hub serve[/]   Then try:")
    paths = [f"/v1/stock/{SHOWCASE_SKU}", "/v1/stock", "/v1/alerts", "/v1/events?limit=20"]
    paths += ["/v1/sales-orders", "/v1/sales-orders?status=on_hold", "/v1/invoices", "/v1/journal?limit=20"]
    lines = [f"export HUB_KEY={report.key}"]
    lines += [f'curl -s -H "Authorization: Bearer $HUB_KEY" "{base}{path}"' for path in paths]
    lines += [f"hub stock {SHOWCASE_SKU}", f"hub stock {LOW_SKU}", "hub report trial-balance", "hub report sales"]
    for line in lines:
        console.print("  " + line, soft_wrap=True, highlight=False, markup=False)
