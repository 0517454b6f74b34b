"""/v1/reports/<name>: the weekly reports, as JSON or (``?format=csv``) a CSV download.

Each route reads its parameters and asks :class:`hub.db.reports.ReportQueries`; what the
figures mean is in :mod:`hub.core.reports`. Periods are days in UTC, both ends included;
``to`` defaults to today and ``from`` to 29 days before ``to`` (30 days: :func:`period`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator, WithJsonSchema

from hub.api.deps import Context, Reader
from hub.api.params import CodeFilter
from hub.api.routing import HubRoute
from hub.api.schemas import ReportOut
from hub.core.fields import Code
from hub.core.reports import Report
from hub.core.reports.table import period
from hub.db.reports import ReportQueries

router = APIRouter(route_class=HubRoute, prefix="/v1/reports", tags=["reports"])

#: Reports also come as CSV: a header row of column names, the totals rows last.
_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the report"}
}


def _iso_day(value: object) -> object:
    # A day as YYYY-MM-DD only: pydantic would also take 0 or 1700000000 as a timestamp.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return value
    raise ValueError("a day as YYYY-MM-DD")


_DAY_SCHEMA = WithJsonSchema({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
Day = Annotated[date, BeforeValidator(_iso_day), _DAY_SCHEMA]
From = Annotated[Day | None, Query(alias="from", description="first day (UTC); default: 29 days before `to`")]
To = Annotated[Day | None, Query(description="last day (UTC), included; default: today")]
At = Annotated[Day | None, Query(description="entries dated on or before this day; default: today")]
AgedAt = Annotated[
    Day | None,
    Query(description="as at this day: documents, payments and credit notes dated on or before it; default: today"),
]
Format = Annotated[Literal["json", "csv"], Query(description="csv: a text/csv download with a header row")]


def _today() -> date:
    return datetime.now(UTC).date()


def _period(start: date | None, end: date | None) -> tuple[date, date]:
    return period(start, end, _today())


Build = Callable[[ReportQueries], Awaitable[Report]]


async def _answer(ctx: Context, format: str, build: Build) -> Response:
    async with ctx.reader() as uow:
        report = await build(ReportQueries(uow.session))
    if format == "csv":
        headers = {"Content-Disposition": f'attachment; filename="{report.name}.csv"'}
        return Response(report.csv(), media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse(report.as_json())


@router.get("/sales", response_model=ReportOut, responses=_CSV)
async def sales_report(
    ctx: Reader,
    start: From = None,
    to: To = None,
    group_by: Literal["sku", "customer", "channel", "month"] = "sku",
    format: Format = "json",
) -> Response:
    """Quantity, net revenue, cost of goods sold, gross margin and margin % per group and
    currency. Revenue is shipments at the order's unit price (tax-exclusive) until invoices
    exist; returns count negative."""
    start_, end = _period(start, to)
    return await _answer(ctx, format, lambda q: q.sales(start_, end, group_by))


@router.get("/inventory", response_model=ReportOut, responses=_CSV)
async def inventory_report(
    ctx: Reader,
    warehouse: CodeFilter = None,
    start: From = None,
    to: To = None,
    slow_days: Annotated[int, Query(ge=1, le=3650, description="a slow mover sold nothing for this long")] = 90,
    format: Format = "json",
) -> Response:
    """On hand, value, average value (daily), turnover (COGS ÷ average value over the
    period), days of cover and slow movers per SKU — in one warehouse, or over all of them
    with goods in transit."""
    start_, end = _period(start, to)

    return await _answer(ctx, format, lambda q: q.inventory(start_, end, warehouse, slow_days))


@router.get("/purchases", response_model=ReportOut, responses=_CSV)
async def purchases_report(
    ctx: Reader,
    start: From = None,
    to: To = None,
    group_by: Literal["supplier", "sku"] = "supplier",
    format: Format = "json",
) -> Response:
    """Spend, received against ordered, reject rate at inspection and on-time rate (against
    the order's ``expected_date``; orders without one are not measured) over the purchase
    orders created in the period."""
    start_, end = _period(start, to)
    return await _answer(ctx, format, lambda q: q.purchases(start_, end, group_by))


@router.get("/ar-aging", response_model=ReportOut, responses=_CSV)
async def ar_aging_report(ctx: Reader, at: AgedAt = None, format: Format = "json") -> Response:
    """What each customer owes per currency, by days past due: current, 1-30, 31-60, 61-90,
    over 90; unallocated payments and unapplied credit notes as a negative ``credit`` column,
    so ``total`` is what the customer owes net. A totals row per currency."""
    day = at or _today()
    return await _answer(ctx, format, lambda q: q.ar_aging(day))


@router.get("/ap-aging", response_model=ReportOut, responses=_CSV)
async def ap_aging_report(ctx: Reader, at: AgedAt = None, format: Format = "json") -> Response:
    """What is owed to each supplier per currency, by days past due (bills on hold included,
    and shown apart in ``on_hold``); prepayments as a negative ``prepaid`` column. A totals
    row per currency."""
    day = at or _today()
    return await _answer(ctx, format, lambda q: q.ap_aging(day))


@router.get("/trial-balance", response_model=ReportOut, responses=_CSV)
async def trial_balance_report(ctx: Reader, at: At = None, format: Format = "json") -> Response:
    """Debits, credits and balance per currency, chart code and role, from the journal; a
    totals row per currency (each currency balances on its own)."""
    day = at or _today()
    return await _answer(ctx, format, lambda q: q.trial_balance(day))


@router.get("/profit-and-loss", response_model=ReportOut, responses=_CSV)
async def profit_and_loss_report(ctx: Reader, start: From = None, to: To = None, format: Format = "json") -> Response:
    """Revenue and expense roles over the period per currency; a totals row per currency is its
    net profit."""
    start_, end = _period(start, to)
    return await _answer(ctx, format, lambda q: q.profit_and_loss(start_, end))


@router.get("/balance-sheet", response_model=ReportOut, responses=_CSV)
async def balance_sheet_report(ctx: Reader, at: At = None, format: Format = "json") -> Response:
    """Asset and liability roles at a day per currency, with each currency's profit to date as
    its balancing equity line."""
    day = at or _today()
    return await _answer(ctx, format, lambda q: q.balance_sheet(day))


@router.get("/demand", response_model=ReportOut, responses=_CSV)
async def demand_report(
    ctx: Reader,
    sku: Annotated[Code, Query(description="the product")],
    days: Annotated[int, Query(ge=1, le=3650, description="days of history, ending today")] = 90,
    format: Format = "json",
) -> Response:
    """Daily quantity shipped and a 30-day forecast by simple exponential smoothing (alpha
    0.3; none with fewer than 14 days of history)."""
    end = _today()

    return await _answer(ctx, format, lambda q: q.demand(sku, end - timedelta(days=days - 1), end))
