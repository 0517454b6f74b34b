"""/healthz (the one endpoint open without a key) and /readyz (any key: it reveals the database state)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

import hub
from hub.api.auth import require
from hub.api.routing import HubRoute

router = APIRouter(route_class=HubRoute, tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok", "version": hub.__version__}


@router.get(
    "/readyz",
    dependencies=[Depends(require("stock:read"))],
    responses={503: {"description": "The database does not answer", "content": {"application/json": {}}}},
)
async def readyz(request: Request) -> JSONResponse:
    """The database answers."""
    try:
        async with request.app.state.hub.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as error:  # readiness reports any failure, whatever its kind
        return JSONResponse({"status": "unavailable", "database": type(error).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
