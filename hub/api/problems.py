"""Errors as RFC 9457 ``application/problem+json``, each naming the offending field.

DomainError → 404 / 409 / 422 (see hub.core.errors), InsufficientStock lists shortages
RequestValidationError → 422 with one entry per field
HTTPException (unknown route, bad method, auth) → its own status; 405 with ``Allow``
StatementError wrapping a DomainError (a column type refusing a value) → as that error
(401/403/413/415 and malformed JSON are raised as Problem by hub.api.routing, before FastAPI)
anything else → 500, details logged, never sent
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import StatementError
from starlette.exceptions import HTTPException

from hub.core.errors import (
    Conflict,
    DomainError,
    DuplicateRecord,
    InsufficientStock,
    InvalidInput,
    InvalidTransition,
    LimitExceeded,
    NotFound,
)
from hub.core.numbers import as_json_number

__all__ = ["Problem", "install", "problem"]

log = logging.getLogger("hub.api")
MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """Raise from an endpoint to answer with a problem document."""

    def __init__(
        self, status: int, title: str, detail: str, *, slug: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug = status, title, detail, slug
        self.headers, self.extra = headers, extra


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"urn:jxc-hub:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


_DOMAIN: list[tuple[type[DomainError], int, str, str]] = [
    # most specific first
    (InsufficientStock, 409, "Insufficient stock", "insufficient-stock"),
    (InvalidTransition, 409, "Not allowed in this status", "invalid-transition"),
    (DuplicateRecord, 409, "Already exists", "duplicate"),
    (LimitExceeded, 409, "Limit exceeded", "limit-exceeded"),
    (Conflict, 409, "Conflict", "conflict"),
    (NotFound, 404, "Not found", "not-found"),
    (InvalidInput, 422, "Invalid request", "invalid-input"),
]


def _field(loc: tuple[Any, ...]) -> str:
    """``("body", "lines", 0, "qty")`` → ``lines[0].qty``."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status, title, slug = next((s, t, g) for cls, s, t, g in _DOMAIN if isinstance(exc, cls))
    extra: dict[str, Any] = {}
    if exc.field is not None:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    if isinstance(exc, InsufficientStock):
        extra["shortages"] = [
            {
                "line": s.line,
                "field": None if s.line is None else f"lines[{s.line}].qty",
                "sku": s.sku,
                "warehouse": s.warehouse,
                "requested": as_json_number(s.requested),
                "available": as_json_number(s.available),
            }
            for s in exc.shortages
        ]
    return problem(request, status, title, exc.message, slug=slug, **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Malformed JSON never gets here: hub.api.routing parses every body (after the key) first.
    errors = exc.errors()
    fields = [
        {"field": _field(tuple(error.get("loc", ()))) or "body", "message": error.get("msg", "invalid")}
        for error in errors
    ]
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem(request, 422, "Invalid request", detail, slug="invalid-input", errors=fields)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    title = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}.get(
        exc.status_code, "Error"
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; the path may have more.
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(
        request, exc.status_code, title, str(exc.detail), slug=title.lower().replace(" ", "-"), headers=headers
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this request's path (RFC 9110 ``Allow``)."""
    path = request.scope["path"]
    methods: set[str] = set()
    for route in request.app.state.api_routes:
        if route.path_regex.match(path):
            methods |= route.methods
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: order.index(m) if m in order else len(order))


async def _problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem(request, exc.status, exc.title, exc.detail, slug=exc.slug, headers=exc.headers, **exc.extra)


async def _statement_error(request: Request, exc: Exception) -> JSONResponse:
    # A column type refused a value (hub.db.types): the driver error wraps a DomainError.
    assert isinstance(exc, StatementError)
    if isinstance(exc.orig, DomainError):
        return await _domain_error(request, exc.orig)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "Internal error", "the hub failed to handle this request", slug="internal")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(StatementError, _statement_error)
    app.add_exception_handler(Exception, _unexpected)
