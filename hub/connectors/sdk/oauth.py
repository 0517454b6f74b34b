"""OAuth2 access tokens for vendors that rotate the refresh token (Xero, QuickBooks, Amazon).

Each refresh (RFC 6749 §6: ``grant_type=refresh_token`` posted as a form to the token
URL, the client authenticated with HTTP Basic or in the body) answers a new access
token *and* a new refresh token, and spends the old refresh token. Two rules follow:

- **The new tokens are stored in the transaction that refreshed.** The refresh runs
  inside a write unit of work that first takes :meth:`CredentialStore.lock
  <hub.connectors.sdk.credentials.CredentialStore.lock>` for the instance, and commits
  the tokens it got before anything else uses them.
- **One refresh at a time per instance, across processes.** Whoever waited for the lock
  reads the tokens again once it has it: if another process refreshed meanwhile, it
  takes that access token instead of spending a refresh token that is no longer valid.

A refused grant (``invalid_grant``; ``invalid_client``: the app's id or secret) cannot be
retried away: the instance is marked ``needs_reauth`` in the same transaction and
:class:`ReauthorizationRequired` raised; its worker parks its queue until an operator
gives new credentials (``hub connectors update`` / ``PATCH /v1/connectors/{id}``).

    tokens = OAuth2Tokens(id, TokenEndpoint(url, client_id, secret), env.uows,
                          refresh_token=config.refresh_token.get_secret_value(),
                          transport=env.transport)
    client = ApiClient(..., auth=tokens.auth())      # or: await tokens.access_token()

A refresh opens its own write unit of work: ask for a token outside any write unit of
work the connector holds (on SQLite one process has one writer at a time).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from hub.connectors.sdk.errors import FatalAPIError, ReauthorizationRequired, for_response, translate
from hub.connectors.sdk.ports import ConnectorUnitOfWorks

__all__ = ["OAuth2Tokens", "TokenEndpoint", "TokenSet"]

#: What the token endpoint answers when only new credentials can help (RFC 6749 §5.2).
_REFUSED = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


@dataclass(frozen=True)
class TokenEndpoint:
    url: str
    client_id: str
    client_secret: str
    #: ``basic``: ``client_id:client_secret`` in an HTTP Basic header (RFC 6749 §2.3.1;
    #: Xero, QuickBooks); ``body``: both as form fields (Amazon's Login with Amazon).
    client_auth: Literal["basic", "body"] = "basic"
    #: The vendor's name in errors.
    vendor: str = "the vendor"


@dataclass(frozen=True)
class TokenSet:
    refresh_token: str
    access_token: str | None = None
    #: When the access token expires, in seconds since the epoch (0: unknown, refresh).
    expires_at: float = 0.0

    def usable(self, now: float, margin: float) -> bool:
        return self.access_token is not None and now < self.expires_at - margin

    def stored(self) -> dict[str, Any]:
        return {"refresh_token": self.refresh_token, "access_token": self.access_token, "expires_at": self.expires_at}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> TokenSet:
        return cls(str(data["refresh_token"]), data.get("access_token"), float(data.get("expires_at") or 0.0))


class OAuth2Tokens:
    """A valid access token for one instance, refreshed ``margin`` seconds before it expires."""

    def __init__(
        self,
        connector_id: str,
        endpoint: TokenEndpoint,
        uows: ConnectorUnitOfWorks,
        *,
        refresh_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        margin: float = 120.0,
        timeout: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.connector_id, self.endpoint, self.uows = connector_id, endpoint, uows
        #: The grant the operator configured: used until a refresh stores a newer one.
        self._configured = refresh_token
        self._transport, self.margin, self._timeout, self._clock = transport, margin, timeout, clock
        self._tokens: TokenSet | None = None
        self._refused: ReauthorizationRequired | None = None
        self._lock = asyncio.Lock()
        #: Token requests this object sent (tests and logs).
        self.refreshes = 0

    async def access_token(self) -> str:
        """An access token valid for at least ``margin`` more seconds."""
        tokens = self._tokens
        if tokens is not None and tokens.usable(self._clock(), self.margin):
            assert tokens.access_token is not None
            return tokens.access_token
        return await self.refresh(stale=tokens.access_token if tokens else None)

    async def refresh(self, *, stale: str | None = None) -> str:
        """A fresh access token; ``stale`` is the one the vendor just refused (a 401), which
        is refreshed even if it has not expired — unless another refresher replaced it."""
        async with self._lock:  # one refresher per process; the store's lock for the others
            if self._refused is not None:
                raise self._refused
            known = self._tokens
            if known is not None and known.access_token != stale and known.usable(self._clock(), self.margin):
                assert known.access_token is not None
                return known.access_token
            self._tokens = await self._refresh(stale)
            assert self._tokens.access_token is not None
            return self._tokens.access_token

    async def _refresh(self, stale: str | None) -> TokenSet:
        async with self.uows() as uow:
            await uow.credentials.lock(self.connector_id)
            stored = await uow.credentials.get(self.connector_id)
            current = TokenSet.from_stored(stored) if stored else TokenSet(self._configured)
            if current.access_token != stale and current.usable(self._clock(), self.margin):
                return current  # refreshed by someone else while we waited
            try:
                fresh = await self._post(current.refresh_token)
            except ReauthorizationRequired as refused:
                self._refused = refused
                await uow.credentials.needs_reauth(self.connector_id, str(refused))
                await uow.commit()
                raise
            await uow.credentials.put(self.connector_id, fresh.stored())
            await uow.commit()
            return fresh

    async def _post(self, refresh_token: str) -> TokenSet:
        endpoint = self.endpoint
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        auth: httpx.BasicAuth | None = None
        if endpoint.client_auth == "basic":
            auth = httpx.BasicAuth(endpoint.client_id, endpoint.client_secret)
        else:
            form |= {"client_id": endpoint.client_id, "client_secret": endpoint.client_secret}
        sent = self._clock()
        self.refreshes += 1
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=self._timeout) as http:
                response = await http.post(
                    endpoint.url,
                    data=form,
                    auth=auth or httpx.USE_CLIENT_DEFAULT,
                    headers={"Accept": "application/json"},
                )
        except httpx.HTTPError as error:
            raise translate(error, endpoint.vendor) from error
        if response.status_code in (400, 401):
            code = _error_code(response)
            if code in _REFUSED:
                raise ReauthorizationRequired(
                    f"{endpoint.vendor} refused the refresh token ({code}): give the connector new credentials",
                    status=response.status_code,
                )
        problem = for_response(response, endpoint.vendor)
        if problem is not None:
            raise problem
        try:
            body = response.json()
            access = str(body["access_token"])
        except (ValueError, KeyError, TypeError) as error:
            raise FatalAPIError(f"{endpoint.vendor}'s token endpoint answered no access token") from error
        # RFC 6749 §6: a new refresh token is optional; without one the old one stays good.
        return TokenSet(
            refresh_token=str(body.get("refresh_token") or refresh_token),
            access_token=access,
            expires_at=sent + float(body.get("expires_in") or 3600),
        )

    def auth(self) -> httpx.Auth:
        """An httpx auth that sends the bearer token and, on a 401, refreshes once and retries."""
        return _BearerAuth(self)


def _error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("error") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


class _BearerAuth(httpx.Auth):
    def __init__(self, tokens: OAuth2Tokens) -> None:
        self.tokens = tokens

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.tokens.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            # Revoked early, or the clocks disagree: one refresh, then the answer stands.
            token = await self.tokens.refresh(stale=token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request
