"""Bearer API keys with scopes.

Scopes nest, each including the ones below it::

    admin  ⊃  write  ⊃  read  ⊃  stock:read

``stock:read`` is what a storefront needs (stock levels and the catalogue); ``read``
sees every document; ``write`` may change the books; ``admin`` manages the hub.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from hub.api.problems import Problem
from hub.db.keys import ApiKey

__all__ = ["SCOPES", "Principal", "authorize_route", "require"]

#: Every scope, weakest first.
SCOPES = ("stock:read", "read", "write", "admin")

Principal = ApiKey


def grants(held: frozenset[str], needed: str) -> bool:
    rank = SCOPES.index(needed)
    return any(scope in SCOPES and SCOPES.index(scope) >= rank for scope in held)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, slug="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="hub"'})


def require(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting a request whose bearer key holds ``scope`` (or a stronger one)."""
    assert scope in SCOPES, scope

    async def dependency(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        kind, _, secret = header.partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            raise _unauthorized("send an API key as 'Authorization: Bearer <key>' (create one with 'hub keys create')")
        principal: Principal | None = await request.app.state.hub.keys.authenticate(secret.strip())
        if principal is None:
            raise _unauthorized("the API key is not valid or has been revoked")
        if not grants(principal.scopes, scope):
            raise Problem(
                403,
                "Forbidden",
                f"this key has scope {' '.join(sorted(principal.scopes))}; '{scope}' is needed",
                slug="forbidden",
            )
        request.state.principal = principal
        return principal

    dependency.scope = scope  # type: ignore[attr-defined]  # found by authorize_route
    return dependency


def _scope_of(dependant: Dependant) -> str | None:
    for sub in dependant.dependencies:
        scope = getattr(sub.call, "scope", None) or _scope_of(sub)
        if scope is not None:
            return scope
    return None


async def authorize_route(request: Request) -> None:
    """Check the key of a request refused before its route's dependencies ran (raises :class:`Problem`).

    FastAPI decodes a JSON body before it resolves dependencies, so malformed JSON would
    otherwise be answered 400 to a caller without a valid key, where 401 / 403 is due.
    """
    route = request.scope.get("route")
    scope = _scope_of(route.dependant) if isinstance(route, APIRoute) else None
    if scope is not None:
        await require(scope)(request)
