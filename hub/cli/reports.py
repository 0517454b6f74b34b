"""``hub report NAME``: a report as a table (or ``--csv``), the same figures as /v1/reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hub.bootstrap import Hub
from hub.cli._common import err, out, run
from hub.core.errors import InvalidInput
from hub.core.reports import Report
from hub.core.reports.table import period
from hub.db.reports import ReportQueries


class Name(StrEnum):
    SALES = "sales"
    INVENTORY = "inventory"
    PURCHASES = "purchases"
    AR_AGING = "ar-aging"
    AP_AGING = "ap-aging"
    TRIAL_BALANCE = "trial-balance"
    PROFIT_AND_LOSS = "profit-and-loss"
    BALANCE_SHEET = "balance-sheet"
    DEMAND = "demand"


_GROUPS = {Name.SALES: "sku", Name.PURCHASES: "supplier"}
_RIGHT = frozenset({"qty", "money", "ratio", "count"})


def register(app: typer.Typer) -> None:
    app.command()(report)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def report(
    name: Annotated[Name, typer.Argument(help="which report")],
    start: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD [default: --to − 29 days]")] = None,
    to: Annotated[str | None, typer.Option("--to", help="last day, included [default: today]")] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="aging, trial balance, balance sheet: as at [default: today]")
    ] = None,
    group_by: Annotated[str | None, typer.Option(help="sales: sku|customer|channel|month; purchases: supplier|sku")] = (
        None
    ),
    warehouse: Annotated[str | None, typer.Option(help="inventory: one warehouse [default: all, with transit]")] = None,
    slow_days: Annotated[int, typer.Option(min=1, help="inventory: a slow mover sold nothing for this long")] = 90,
    sku: Annotated[str | None, typer.Option(help="demand: the product")] = None,
    days: Annotated[int, typer.Option(min=1, help="demand: days of history, ending today")] = 90,
    csv: Annotated[bool, typer.Option("--csv", help="print CSV (a header row, then the rows) instead")] = False,
) -> None:
    """Print a report: sales, inventory, purchases, ar-aging, ap-aging, trial-balance,
    profit-and-loss, balance-sheet or demand (what each figure means: GET /v1/reports in the API document)."""
    today = datetime.now(UTC).date()
    first, last, as_at = _day(start, "--from"), _day(to, "--to"), _day(at, "--at") or today
    grouping = group_by or _GROUPS.get(name, "")
    allowed = {Name.SALES: ("sku", "customer", "channel", "month"), Name.PURCHASES: ("supplier", "sku")}
    if name in allowed and grouping not in allowed[name]:
        raise typer.BadParameter(f"{name} groups by {' | '.join(allowed[name])}", param_hint="--group-by")
    if name == Name.DEMAND and sku is None:
        raise typer.BadParameter("demand needs --sku", param_hint="--sku")

    async def build(hub: Hub) -> Report:
        async with hub.uow.reader() as uow:
            q = ReportQueries(uow.session)
            if name == Name.TRIAL_BALANCE:
                return await q.trial_balance(as_at)
            if name == Name.BALANCE_SHEET:
                return await q.balance_sheet(as_at)
            if name == Name.AR_AGING:
                return await q.ar_aging(as_at)
            if name == Name.AP_AGING:
                return await q.ap_aging(as_at)
            if name == Name.DEMAND:
                assert sku is not None
                return await q.demand(sku, today - timedelta(days=days - 1), today)
            begin, end = period(first, last, today)
            if name == Name.SALES:
                return await q.sales(begin, end, grouping)  # type: ignore[arg-type]
            if name == Name.PURCHASES:
                return await q.purchases(begin, end, grouping)  # type: ignore[arg-type]
            if name == Name.INVENTORY:
                return await q.inventory(begin, end, warehouse, slow_days)
            return await q.profit_and_loss(begin, end)

    try:
        result = run(build, attempts=3)
    except InvalidInput as error:
        err.print(f"[red]hub report:[/] {escape(str(error))}", highlight=False)
        raise typer.Exit(1) from None
    if csv:
        out.print(result.csv(), end="", markup=False, highlight=False, soft_wrap=True)
        return
    show(result)


def show(result: Report, console: Console = out) -> None:
    """The report as a rich table (totals in a section of their own), then its extras and notes."""
    params = ", ".join(f"{k} {v}" for k, v in result.parameters.items() if v is not None)
    table = Table(title=f"{result.name} ({params})" if params else result.name)
    for column in result.columns:
        table.add_column(column.name, justify="right" if column.kind in _RIGHT else "left")
    rows = result.text_rows()
    first_total = len(result.rows) if result.totals else None
    for i, row in enumerate(rows):
        if i == first_total:
            table.add_section()
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    for key, value in result.extra.items():
        # Figures per currency (the books) print as "CNY 12.00, USD 3.00".
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items()) or "none"
        else:
            shown = value
        console.print(f"{key}: {shown}", highlight=False)
    for note in result.notes:
        console.print(f"[dim]{escape(note)}[/]")
