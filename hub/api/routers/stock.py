"""Stock read side: /v1/stock, /v1/stock/{sku}, /v1/stock/moves, /v1/alerts, /v1/events."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Query, Request, Response

from hub.api import bodies
from hub.api.deps import Reader, StockReader
from hub.api.etag import NOT_MODIFIED, json_with_etag
from hub.api.pagination import Cursor, Limit, decode, encode
from hub.api.params import MAX_SEQ, CodeFilter, CodePath, Position
from hub.api.problems import Problem
from hub.api.routing import HubRoute
from hub.api.schemas import AlertOut, EventOut, MoveOut, Page, StockRow, StockSummary
from hub.connectors.channels import channel_stock
from hub.core.alerts import AlertKind
from hub.core.channels import ChannelAllocation
from hub.core.errors import InvalidInput, NotFound
from hub.core.numbers import ZERO
from hub.db.queries import Queries

router = APIRouter(route_class=HubRoute, prefix="/v1")


@router.get("/stock", response_model=Page[StockRow], tags=["stock"], responses=NOT_MODIFIED)
async def list_stock(
    ctx: StockReader, sku: CodeFilter = None, warehouse: CodeFilter = None, cursor: Cursor = None, limit: Limit = 100
) -> Response:
    """Stock per SKU × warehouse, ordered by SKU then warehouse. Answers an ``ETag``; send
    it back as ``If-None-Match`` and an unchanged page is ``304 Not Modified``."""
    levels, last = await ctx.hub.reads.stock_page(
        sku=sku, warehouse=warehouse, after=decode(cursor, tuple), limit=limit
    )
    return json_with_etag(ctx.request, bodies.stock_page(levels, encode(last)))


async def _moves(ctx: Reader, sku: str | None, after: int | None, limit: int) -> Page[MoveOut]:
    async with ctx.reader() as uow:
        page = await Queries(uow.session).moves(sku=sku, after=after, limit=limit)
    next_after = None if page.next_key is None else str(page.next_key)
    return Page(items=[MoveOut.of(move) for move in page.items], next_cursor=next_after)


@router.get("/moves", response_model=Page[MoveOut], tags=["stock"])
async def list_moves(ctx: Reader, sku: CodeFilter = None, after: Position = None, limit: Limit = 100) -> Page[MoveOut]:
    """The ledger, oldest first. ``next_cursor`` is the ``after`` for the next page."""
    return await _moves(ctx, sku, after, limit)


@router.get("/stock/moves", response_model=Page[MoveOut], tags=["stock"])
async def list_stock_moves(
    ctx: Reader, sku: CodeFilter = None, after: Position = None, limit: Limit = 100
) -> Page[MoveOut]:
    """The ledger, as at ``/v1/moves`` (this path came first and stays). No product has the SKU
    ``moves``, so this path never hides one's stock."""
    return await _moves(ctx, sku, after, limit)


@router.get(
    "/stock/{sku:path}",
    response_model=StockSummary,
    response_model_exclude_none=True,
    tags=["stock"],
    responses=NOT_MODIFIED,
)
async def get_stock(
    sku: CodePath,
    ctx: StockReader,
    request: Request,
    channel: Annotated[CodeFilter, Query(description="a connector instance: add its available-to-sell")] = None,
) -> Response:
    """Totals over all warehouses with average cost and stock value, and each warehouse's row.
    With ``channel``, also what that channel may sell (``available_to_sell``). Answers an
    ``ETag``; send it back as ``If-None-Match`` and an unchanged answer is ``304 Not Modified``."""
    stock = await ctx.hub.reads.stock_of(sku)
    if not stock.found:
        raise NotFound(f"product {sku} does not exist")
    valuation = None
    if stock.average_cost is not None and stock.value is not None:
        # Two figures, not an ORM-instrumented Valuation: building one costs a read ~5 %.
        valuation = _Valued(stock.average_cost, stock.value)
    summary = StockSummary.of(sku, stock.levels, valuation)
    if channel is not None:
        rows = await channel_stock(ctx.hub.reads, await _allocation(request, channel), [sku])
        ats = rows[0]["available_to_sell"] if rows else ZERO
        summary = summary.model_copy(update={"channel": channel, "available_to_sell": ats})
    return json_with_etag(request, summary.model_dump_json(exclude_none=True).encode())


class _Valued(NamedTuple):
    average_cost: Decimal
    value: Decimal


async def _allocation(request: Request, channel: str) -> ChannelAllocation:
    hub = request.app.state.hub
    row = await hub.reads.connector_instance(channel)
    if row is None:
        raise InvalidInput(f"no channel (connector instance) {channel!r}", field="channel")
    allocation: ChannelAllocation | None = await hub.connectors.allocation_of(row)
    if allocation is None:
        raise InvalidInput(f"{channel} does not sell stock", field="channel")
    return allocation


@router.get("/alerts", response_model=Page[AlertOut], tags=["stock"])
async def list_alerts(
    ctx: Reader, kind: AlertKind | None = None, cursor: Cursor = None, limit: Limit = 100
) -> Page[AlertOut]:
    """Active reorder alerts (``low_stock``, ``overstock``), oldest first."""
    async with ctx.reader() as uow:
        page = await Queries(uow.session).alerts(kind=kind, after=decode(cursor, int), limit=limit)
    return Page(items=[AlertOut.of(alert) for alert in page.items], next_cursor=encode(page.next_key))


@router.get("/events", response_model=Page[EventOut], tags=["events"])
async def list_events(
    ctx: Reader,
    after: Annotated[
        str | None,
        Query(
            pattern="^(?:[0-9]{0,19}|[0-9a-fA-F-]{36})$",
            description="seq or event_id of the last event already seen; empty: from the start",
        ),
    ] = None,
    limit: Limit = 100,
) -> Page[EventOut]:
    """The outbox, oldest first, in commit order. ``next_cursor`` is the ``after`` for the next page."""
    async with ctx.reader() as uow:
        queries = Queries(uow.session)
        position: int | None = None
        if after:
            position = int(after) if after.isdecimal() else await queries.event_position(after)
            if position is None or position > MAX_SEQ:
                raise Problem(
                    422,
                    "Invalid request",
                    f"after={after!r} is neither a seq nor a known event_id",
                    slug="invalid-input",
                    errors=[{"field": "after", "message": "not a seq or known event_id"}],
                )
        page = await queries.events(after=position, limit=limit)
    next_after = None if page.next_key is None else str(page.next_key)
    return Page(items=[EventOut.of(row) for row in page.items], next_cursor=next_after)
