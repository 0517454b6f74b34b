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

from hub.api.problems import Problem
from hub.db.keys import ApiKey

__all__ = ["SCOPES", "Principal", "authenticate", "require", "route_scope"]

#: Every scope, weakest first.
SCOPES = ("stock:read", "read", "write", "admin")

Principal = ApiKey


def grants(held: frozenset[str], needed: str) -> bool:
    rank = SCOPES.index(needed)
    return any(scope in SCOPES and SCOPES.index(scope) >= rank for scope in held)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, slug="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="hub"'})


async def authenticate(request: Request, scope: str) -> Principal:
    """The request's key if it holds ``scope`` (or a stronger one); else raise a 401 / 403 :class:`Problem`.

    The key is looked up once per request: the route checks it before reading the body
    (hub.api.routing) and the endpoint's dependency takes the same principal.
    """
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        header = request.headers.get("authorization", "")
        kind, _, secret = header.partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            raise _unauthorized("send an API key as 'Authorization: Bearer <key>' (create one with 'hub keys create')")
        principal = await request.app.state.hub.keys.authenticate(secret.strip())
        if principal is None:
            raise _unauthorized("the API key is not valid or has been revoked")
        request.state.principal = principal
    if not grants(principal.scopes, scope):
        raise Problem(
            403,
            "Forbidden",
            f"this key has scope {' '.join(sorted(principal.scopes))}; '{scope}' is needed",
            slug="forbidden",
        )
    return principal


def require(scope: str) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency admitting a request whose bearer key holds ``scope`` (or a stronger one)."""
    assert scope in SCOPES, scope

    async def dependency(request: Request) -> Principal:
        return await authenticate(request, scope)

    dependency.scope = scope  # type: ignore[attr-defined]  # found by route_scope
    return dependency


def route_scope(dependant: Dependant) -> str | None:
    """The scope a route's dependencies require, or None for an open route."""
    for sub in dependant.dependencies:
        scope = getattr(sub.call, "scope", None) or route_scope(sub)
        if scope is not None:
            return scope
    return None
