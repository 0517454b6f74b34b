"""/v1/connectors (instances and their runs), /v1/webhooks/{id}, /v1/channels/{id}/stock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hub.api import bodies
from hub.api.deps import Admin, Reader, StockReader, Writer
from hub.api.etag import NOT_MODIFIED, json_with_etag
from hub.api.params import ConnectorId, ConnectorPath
from hub.api.problems import Problem
from hub.api.routing import HubRoute
from hub.connectors.channels import channel_offers
from hub.connectors.reconcile import combined
from hub.connectors.reconcile import reconcile as reconcile_instance
from hub.connectors.sdk.errors import ConnectorError, WebhookRejected
from hub.connectors.service import ConnectorSpec, UpstreamUnavailable
from hub.connectors.status import describe, status
from hub.core.errors import InvalidInput, NotFound
from hub.core.fields import Code
from hub.core.numbers import Quantity
from hub.sync.engine import RunReport, recent_runs

router = APIRouter(route_class=HubRoute, prefix="/v1")


class ConnectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Lowercase letters, digits, ``-`` and ``_``: it names the instance everywhere
    #: (channel of its orders, webhook URL, queue, dead letters).
    id: ConnectorId
    type: str
    config: dict[str, Any]
    mappings: dict[str, Any] = Field(default_factory=dict)


class ConnectorChanges(BaseModel):
    """What ``PATCH /v1/connectors/{id}`` replaces: the config, the mappings, or both."""

    model_config = ConfigDict(extra="forbid")

    #: The whole config; a secret left out, or sent back as shown (``**********``),
    #: keeps its stored value.
    config: dict[str, Any] | None = None
    mappings: dict[str, Any] | None = None


class ConnectorOut(BaseModel):
    id: str
    type: str
    status: str
    capabilities: list[str]
    config: dict[str, Any]
    mappings: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ConnectorStatus(ConnectorOut):
    last_sync: dict[str, Any]
    cursors: dict[str, str]
    recent_errors: list[dict[str, Any]]
    orders_on_hold: list[dict[str, Any]]
    queue: dict[str, int]


class RunOut(BaseModel):
    id: int
    connector_id: str
    entity: str
    trigger: str
    dry_run: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    writes: int
    errors: list[dict[str, str]]


class RunsOut(BaseModel):
    items: list[RunOut]


class ReconcileRunOut(RunOut):
    plan: list[dict[str, Any]]


class ReconcileOut(ReconcileRunOut):
    """Every entity's run together at the top level (counts, writes and errors added
    up, the worst status, ``entity`` the entities joined by commas); ``runs``: each
    entity's own report, in the order they ran."""

    runs: list[ReconcileRunOut]


def _plan(report: RunReport) -> list[dict[str, Any]]:
    return [item.as_dict() for item in report.plan.items] if report.plan else []


def _upstream(error: ConnectorError) -> Problem:
    return Problem(502, "Bad gateway", str(error), slug="upstream-unavailable")


async def _row(request: Request, connector_id: str) -> Any:
    for row in await request.app.state.hub.connectors.rows():
        if row.id == connector_id:
            return row
    raise NotFound(f"connector {connector_id} does not exist")


@router.post("/connectors", status_code=201, response_model=ConnectorOut, tags=["connectors"])
async def add_connector(body: ConnectorIn, ctx: Admin) -> Response:
    """Add an instance: its config is validated and its credentials checked with the
    vendor (refused: 422, nothing saved); secrets are stored encrypted and never shown.
    Its first reconciliation starts at once."""

    async def action() -> ConnectorOut:
        try:
            row = await ctx.hub.connectors.add(ConnectorSpec(body.id, body.type, body.config, body.mappings))
        except UpstreamUnavailable as error:
            raise _upstream(error) from error
        return ConnectorOut.model_validate(describe(ctx.hub.connectors, row))

    return await ctx.effect(action)


@router.patch("/connectors/{connector_id}", response_model=ConnectorOut, tags=["connectors"])
async def update_connector(connector_id: ConnectorPath, body: ConnectorChanges, ctx: Admin) -> Response:
    """Replace the config and/or the mappings, checked as on adding (refused: 422 naming
    the field, nothing saved). Secrets the config leaves out, or sends masked, are kept.
    New credentials make a ``needs_reauth`` instance ``active`` again; its worker
    restarts with the change and works the queue it parked."""

    async def action() -> ConnectorOut:
        if body.config is None and body.mappings is None:
            raise InvalidInput("nothing to change: give config, mappings or both", field="config")
        try:
            row = await ctx.hub.connectors.update(connector_id, body.config, body.mappings)
        except UpstreamUnavailable as error:
            raise _upstream(error) from error
        return ConnectorOut.model_validate(describe(ctx.hub.connectors, row))

    return await ctx.effect(action, status=200)


@router.get("/connectors", response_model=list[ConnectorOut], tags=["connectors"])
async def list_connectors(ctx: Reader) -> list[ConnectorOut]:
    rows = await ctx.hub.connectors.rows()
    return [ConnectorOut.model_validate(describe(ctx.hub.connectors, row)) for row in rows]


@router.get("/connectors/{connector_id}", response_model=ConnectorStatus, tags=["connectors"])
async def get_connector(connector_id: ConnectorPath, ctx: Reader, request: Request) -> ConnectorStatus:
    """Status: last sync per entity, cursors, recent errors, orders on hold, queued work."""
    row = await _row(request, connector_id)
    return ConnectorStatus.model_validate(await status(ctx.hub.connectors, ctx.hub.work, row))


@router.delete("/connectors/{connector_id}", status_code=204, tags=["connectors"])
async def remove_connector(connector_id: ConnectorPath, ctx: Admin) -> Response:
    await ctx.hub.connectors.remove(connector_id)
    return Response(status_code=204)


@router.get("/connectors/{connector_id}/runs", response_model=RunsOut, tags=["connectors"])
async def list_runs(
    connector_id: ConnectorPath,
    ctx: Reader,
    request: Request,
    entity: Annotated[Code | None, Query(description="only this entity's runs, e.g. stock or orders")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> RunsOut:
    """Reconciliation reports, newest first."""
    await _row(request, connector_id)
    runs = await recent_runs(ctx.hub.db, connector_id, entity=entity, limit=limit)
    return RunsOut(items=[RunOut.model_validate(run.as_dict()) for run in runs])


@router.post("/connectors/{connector_id}/reconcile", response_model=ReconcileOut, tags=["connectors"])
async def reconcile(
    connector_id: ConnectorPath,
    ctx: Writer,
    request: Request,
    entity: Annotated[Code | None, Query(description="one entity (default: every one)")] = None,
    dry_run: bool = False,
) -> Response:
    """Reconcile now — every entity in the connector's own order, or ``entity`` — and
    answer the run reports with their plans (``dry_run``: plan only, nothing written)."""

    async def action() -> ReconcileOut:
        await _row(request, connector_id)
        reports = await reconcile_instance(ctx.hub.connectors, connector_id, entity, dry_run=dry_run, trigger="api")
        runs = [ReconcileRunOut(**report.as_dict(), plan=_plan(report)) for report in reports]
        plan = [item for run in runs for item in run.plan]
        return ReconcileOut(**combined(reports), plan=plan, runs=runs)

    return await ctx.effect(action, status=200)


# -- webhooks: the vendor's signature is the authentication ----------------------------------


@router.post("/webhooks/{connector_id}", tags=["webhooks"], include_in_schema=True)
async def webhook(connector_id: ConnectorPath, request: Request) -> dict[str, str]:
    """A vendor's webhook. No API key: a bad or missing signature is 401, nothing written."""
    row = await _row(request, connector_id)
    body = await request.body()
    async with request.app.state.hub.connectors.live(row) as connector:
        try:
            delivery = connector.webhook_verify({k.lower(): v for k, v in request.headers.items()}, body)
            await connector.webhook_handle(delivery)
        except WebhookRejected as error:
            raise Problem(401, "Unauthorized", f"webhook refused: {error}", slug="webhook-signature") from error
    return {"status": "accepted", "id": delivery.id}


# -- what a channel may sell --------------------------------------------------------------------


class ChannelStockRow(BaseModel):
    sku: str
    available_to_sell: Quantity
    warehouses: dict[str, Quantity]


class ChannelStockOut(BaseModel):
    channel: str
    items: list[ChannelStockRow]


@router.get(
    "/channels/{channel_id}/stock",
    response_model=ChannelStockOut,
    tags=["stock"],
    responses=NOT_MODIFIED,
)
async def get_channel_stock(
    channel_id: ConnectorPath,
    ctx: StockReader,
    request: Request,
    skus: Annotated[str | None, Query(description="comma-separated SKUs (default: every SKU in stock)")] = None,
) -> Response:
    """Available-to-sell per SKU for one channel, in bulk. Answers an ``ETag``; send it
    back as ``If-None-Match`` and an unchanged answer is ``304 Not Modified``."""
    row = await ctx.hub.reads.connector_instance(channel_id)
    if row is None:
        raise NotFound(f"connector {channel_id} does not exist")
    allocation = await ctx.hub.connectors.allocation_of(row)
    if allocation is None:
        raise InvalidInput(f"{channel_id} does not sell stock", field="channel_id")
    wanted = [s.strip() for s in skus.split(",") if s.strip()] if skus else None
    if wanted is not None and len(wanted) > 1000:
        raise InvalidInput("at most 1000 SKUs per request", field="skus")
    offers = await channel_offers(ctx.hub.reads, allocation, wanted)
    return json_with_etag(request, bodies.channel_stock(channel_id, offers))
