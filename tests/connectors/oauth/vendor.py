"""Test equipment: a vendor whose token endpoint behaves as Xero documents its own, and
a small connector of it built on :mod:`hub.connectors.sdk.oauth`.

Token endpoint (``POST /connect/token``): form body ``grant_type=refresh_token`` and
``refresh_token``, the client authenticated with HTTP Basic ``client_id:client_secret``.
It answers a new access token (``expires_in`` seconds) *and* a new refresh token, and
the refresh token it was given is spent: sent again, it is refused with
400 ``{"error": "invalid_grant"}`` (Xero allows a short grace period; this one does
not, so a race shows). ``GET /me`` answers 200 to a live access token, 401 otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx
from pydantic import SecretStr

from hub.connectors.sdk.base import Connector, ConnectorConfig, ConnectorMappings, Work
from hub.connectors.sdk.errors import for_response
from hub.connectors.sdk.oauth import OAuth2Tokens, TokenEndpoint

CLIENT_ID, CLIENT_SECRET = "ledger-app", "ledger-app-secret"
BASE = "https://ledger.test"


class TokenVendor:
    def __init__(self, *, expires_in: int = 1800, delay: float = 0.0) -> None:
        self.expires_in, self.delay = expires_in, delay
        self._numbers = itertools.count(1)
        #: Refresh tokens that may still be spent, and access tokens that still work.
        self.live_refresh: set[str] = set()
        self.live_access: set[str] = set()
        #: Every token request: (refresh token sent, answered status).
        self.refreshes: list[tuple[str, int]] = []
        self.api_calls = 0

    def grant(self) -> str:
        """What an operator gets by authorising the app: a first refresh token."""
        token = f"rt-{next(self._numbers)}"
        self.live_refresh.add(token)
        return token

    def revoke(self) -> None:
        """The organisation disconnected the app: every token stops working."""
        self.live_refresh.clear()
        self.live_access.clear()

    @property
    def newest_refresh(self) -> str:
        [token] = self.live_refresh
        return token

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/connect/token":
            return await self._token(request)
        if request.url.path == "/me":
            self.api_calls += 1
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer in self.live_access:
                return httpx.Response(200, json={"organisation": "Demo Ltd"})
            return httpx.Response(401, json={"Type": "Unauthorized"})
        return httpx.Response(404)

    async def _token(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = {key: values[0] for key, values in parse_qs(request.content.decode()).items()}
        sent = form.get("refresh_token", "")
        if request.headers.get("authorization") != expected:
            self.refreshes.append((sent, 401))
            return httpx.Response(401, json={"error": "invalid_client"})
        if form.get("grant_type") != "refresh_token":
            self.refreshes.append((sent, 400))
            return httpx.Response(400, json={"error": "unsupported_grant_type"})
        if self.delay:
            await asyncio.sleep(self.delay)  # a slow endpoint widens any race
        if sent not in self.live_refresh:
            self.refreshes.append((sent, 400))
            return httpx.Response(400, json={"error": "invalid_grant"})
        self.live_refresh.discard(sent)
        number = next(self._numbers)
        access, refresh = f"at-{number}", f"rt-{number}"
        self.live_refresh.add(refresh)
        self.live_access = {access}
        self.refreshes.append((sent, 200))
        body = {"access_token": access, "expires_in": self.expires_in, "token_type": "Bearer", "refresh_token": refresh}
        return httpx.Response(200, json=body)


class LedgerConfig(ConnectorConfig):
    base_url: str = BASE
    client_id: str = CLIENT_ID
    client_secret: SecretStr = SecretStr(CLIENT_SECRET)
    refresh_token: SecretStr


class LedgerConnector(Connector[LedgerConfig, ConnectorMappings]):
    """Checks its credentials with ``GET /me``; its one kind of work (``push``) calls it too."""

    type_name: ClassVar[str] = "ledger"
    title: ClassVar[str] = "Ledger"
    config_model = LedgerConfig
    mappings_model = ConnectorMappings
    capabilities = frozenset()

    def __init__(self, id: str, config: LedgerConfig, mappings: ConnectorMappings, env: Any) -> None:
        super().__init__(id, config, mappings, env)
        endpoint = TokenEndpoint(
            f"{config.base_url}/connect/token",
            config.client_id,
            config.client_secret.get_secret_value(),
            vendor="Ledger",
        )
        self.tokens = OAuth2Tokens(
            id, endpoint, env.uows, refresh_token=config.refresh_token.get_secret_value(), transport=env.transport
        )
        self.http = httpx.AsyncClient(base_url=config.base_url, transport=env.transport, auth=self.tokens.auth())

    async def check(self) -> None:
        response = await self.http.get("/me")
        problem = for_response(response, "Ledger")
        if problem is not None:
            raise problem

    def work(self) -> dict[str, Work]:
        return {"push": Work(batch=10, handle=self._push)}

    async def _push(self, keys: list[str]) -> dict[str, str | None]:
        await self.check()
        return dict.fromkeys(keys)

    async def aclose(self) -> None:
        await self.http.aclose()


def ledger_config(refresh_token: str, **changes: Any) -> dict[str, Any]:
    return {"refresh_token": refresh_token, **changes}
