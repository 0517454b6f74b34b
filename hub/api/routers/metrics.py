"""/metrics: Prometheus scrapes it with a ``read`` key (``bearer_token`` in its scrape config)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from hub.api.auth import require
from hub.api.routing import HubRoute
from hub.ops.scrape import CONTENT_TYPE, exposition

router = APIRouter(route_class=HubRoute, tags=["ops"])


@router.get(
    "/metrics",
    dependencies=[Depends(require("read"))],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text exposition"}},
)
async def metrics(request: Request) -> Response:
    """Outbox backlog, consumer lag, dead letters (read now) and this process's event counters."""
    return Response(await exposition(request.app.state.hub), media_type=CONTENT_TYPE)
