"""Running a request's unit of work, with ``Idempotency-Key`` and the response in one transaction.

For a POST with an ``Idempotency-Key``: a request whose key was seen with the same body
gets the first response again (``Idempotent-Replayed: true``) and changes nothing; the
same key with a different body is refused with 422. Only successful responses are
stored: a refused request wrote nothing, so repeating it is safe and may succeed later.
"""

# No ``from __future__ import annotations`` here: FastAPI evaluates the dependency
# annotations below at runtime, and they close over a local variable.

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from hub.api.auth import Principal, authenticate
from hub.api.openapi import IDEMPOTENCY_KEY_PATTERN
from hub.api.problems import Problem
from hub.bootstrap import Hub
from hub.core.errors import DuplicateRecord
from hub.db.idempotency import StoredResponse, find_response, lock_key, store_response
from hub.db.uow import SqlUnitOfWork

__all__ = ["Admin", "Context", "Reader", "StockReader", "Writer"]

Action = Callable[[SqlUnitOfWork], Awaitable[BaseModel]]
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


class Context:
    """What an endpoint needs: the hub, the caller, and a way to run units of work."""

    def __init__(self, request: Request, principal: Principal) -> None:
        self.request = request
        self.principal = principal
        self.hub: Hub = request.app.state.hub

    def reader(self) -> SqlUnitOfWork:
        return self.hub.uow.reader()

    async def write(self, action: Action, *, status: int = 201) -> Response:
        """Run ``action`` in a write unit of work and answer with the model it returns."""
        key = self.request.headers.get("idempotency-key")
        if key is None:
            async with self.hub.uow() as uow:
                body = _dump(await action(uow))
                await uow.commit()
            return _json(status, body)
        _check_key(key)
        fingerprint = await self._fingerprint()
        async with self.hub.uow.reader() as reader:
            stored = await find_response(reader.session, self.principal.id, key)
        if stored is not None:
            return self._replay(stored, fingerprint)
        async with self.hub.uow() as uow:
            await lock_key(uow.session, self.principal.id, key)
            stored = await find_response(uow.session, self.principal.id, key)
            if stored is not None:
                return self._replay(stored, fingerprint)
            body = _dump(await action(uow))
            await store_response(uow.session, self.principal.id, key, fingerprint, status, body)
            await uow.commit()
        return _json(status, body)

    async def effect(self, action: Callable[[], Awaitable[BaseModel]], *, status: int = 201) -> Response:
        """Run an ``action`` that reaches outside the hub (a vendor's API) and so manages
        its own short transactions. With an ``Idempotency-Key`` the response is kept
        afterwards: a retry that arrives after it is replayed; one that races it runs
        into the action's own uniqueness checks (e.g. a connector id already taken)."""
        key = self.request.headers.get("idempotency-key")
        if key is None:
            return _json(status, _dump(await action()))
        _check_key(key)
        fingerprint = await self._fingerprint()
        async with self.hub.uow.reader() as reader:
            stored = await find_response(reader.session, self.principal.id, key)
        if stored is not None:
            return self._replay(stored, fingerprint)
        body = _dump(await action())
        try:
            async with self.hub.uow() as uow:
                await store_response(uow.session, self.principal.id, key, fingerprint, status, body)
                await uow.commit()
        except DuplicateRecord:
            async with self.hub.uow.reader() as reader:
                stored = await find_response(reader.session, self.principal.id, key)
            if stored is not None:
                return self._replay(stored, fingerprint)
        return _json(status, body)

    async def _fingerprint(self) -> str:
        raw = await self.request.body()
        try:
            canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            canonical = raw
        digest = hashlib.sha256(f"{self.request.method} {self.request.url.path}\n".encode())
        digest.update(canonical)
        return digest.hexdigest()

    @staticmethod
    def _replay(stored: StoredResponse, fingerprint: str) -> Response:
        if stored.request_hash != fingerprint:
            raise Problem(
                422,
                "Idempotency-Key reused",
                "this Idempotency-Key was already used with a different request; use a new key for a new request",
                slug="idempotency-key-reused",
                errors=[{"field": "Idempotency-Key", "message": "already used with a different request"}],
            )
        response = _json(stored.status_code, stored.body)
        response.headers["Idempotent-Replayed"] = "true"
        return response


def _check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise Problem(
            422,
            "Invalid request",
            "Idempotency-Key must be 1–255 visible ASCII characters or spaces",
            slug="invalid-input",
            errors=[{"field": "Idempotency-Key", "message": "1–255 visible ASCII characters or spaces"}],
        )


def _dump(model: BaseModel) -> str:
    return model.model_dump_json()


def _json(status: int, body: str) -> Response:
    return Response(content=body, status_code=status, media_type="application/json")


def _context(scope: str) -> Any:
    # One dependency, not one wrapping ``require``: each level of dependencies FastAPI solves
    # costs a storefront read ~10 % of its time.
    async def dependency(request: Request) -> Context:
        return Context(request, await authenticate(request, scope))

    dependency.scope = scope  # type: ignore[attr-defined]  # found by hub.api.auth.route_scope
    return Depends(dependency)


StockReader = Annotated[Context, _context("stock:read")]
Reader = Annotated[Context, _context("read")]
Writer = Annotated[Context, _context("write")]
Admin = Annotated[Context, _context("admin")]
