"""OAuth2 with a rotating refresh token (hub.connectors.sdk.oauth) against a token endpoint
that behaves as Xero's: refreshed before expiry, the new tokens stored with the refresh,
one refresh per instance however many processes ask, and a refused grant parks the
instance instead of being retried."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.connectors.sdk.errors import ReauthorizationRequired
from hub.connectors.sdk.oauth import OAuth2Tokens, TokenEndpoint
from hub.connectors.sdk.ports import ConnectorUnitOfWorks
from hub.db.connectors import SqlConnectorInstances
from tests.connectors.oauth.vendor import BASE, CLIENT_ID, CLIENT_SECRET, TokenVendor
from tests.fakes import FakeStore

ENDPOINT = TokenEndpoint(f"{BASE}/connect/token", CLIENT_ID, CLIENT_SECRET, vendor="Ledger")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def tokens(uows: ConnectorUnitOfWorks, vendor: TokenVendor, grant: str, clock: Clock | None = None) -> OAuth2Tokens:
    return OAuth2Tokens(
        "books", ENDPOINT, uows, refresh_token=grant, transport=vendor.transport(), clock=clock or Clock()
    )


async def test_refreshes_before_expiry_with_basic_auth_and_stores_the_rotated_token() -> None:
    store, vendor, clock = FakeStore(), TokenVendor(expires_in=1800), Clock()
    sent: list[httpx.Request] = []

    async def spy(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return await vendor.handle(request)

    grant = vendor.grant()
    oauth = OAuth2Tokens(
        "books", ENDPOINT, store, refresh_token=grant, transport=httpx.MockTransport(spy), clock=clock, margin=120
    )
    first = await oauth.access_token()
    [request] = sent
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"ledger-app:ledger-app-secret").decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {"grant_type": ["refresh_token"], "refresh_token": [grant]}
    assert store.tables.credentials["books"]["refresh_token"] == vendor.newest_refresh != grant

    clock.now += 1800 - 121  # still valid for longer than the margin: no request
    assert await oauth.access_token() == first and len(sent) == 1
    clock.now += 2  # inside the margin: refreshed with the token the last refresh answered
    second = await oauth.access_token()
    assert second != first and [status for _, status in vendor.refreshes] == [200, 200]
    assert store.tables.credentials["books"]["access_token"] == second

    # Another process (a fresh object, nothing in memory) starts from what was stored.
    again = tokens(store, vendor, grant, clock)
    assert await again.access_token() == second and again.refreshes == 0


async def test_a_401_refreshes_once_and_retries() -> None:
    store, vendor = FakeStore(), TokenVendor()
    oauth = tokens(store, vendor, vendor.grant())
    async with httpx.AsyncClient(base_url=BASE, transport=vendor.transport(), auth=oauth.auth()) as http:
        assert (await http.get("/me")).status_code == 200
        vendor.live_access.clear()  # the vendor dropped the access token early
        assert (await http.get("/me")).status_code == 200
    assert [status for _, status in vendor.refreshes] == [200, 200]


async def test_invalid_grant_marks_the_instance_and_is_not_retried() -> None:
    store, vendor = FakeStore(), TokenVendor()
    vendor.grant()
    oauth = tokens(store, vendor, "rt-revoked")
    with pytest.raises(ReauthorizationRequired, match="invalid_grant"):
        await oauth.access_token()
    assert "invalid_grant" in store.tables.credential_problems["books"]
    assert "books" not in store.tables.credentials
    with pytest.raises(ReauthorizationRequired):
        await oauth.access_token()
    assert len(vendor.refreshes) == 1, "a refused grant was sent again"


async def test_concurrent_refreshes_in_one_process_make_one_request() -> None:
    store, vendor = FakeStore(), TokenVendor(delay=0.05)
    grant = vendor.grant()
    many = [tokens(store, vendor, grant) for _ in range(4)]  # four connector objects
    got = await asyncio.gather(*(oauth.access_token() for oauth in many))
    assert len(set(got)) == 1 and len(vendor.refreshes) == 1


# -- across processes: two hubs (engines of their own) on one database ------------------------


@pytest.fixture
async def two_hubs(database_url: str) -> AsyncIterator[tuple[Hub, Hub]]:
    settings = Settings(database_url=database_url, migrate_on_start=False, secret_key=SecretStr("k1"), _env_file=None)  # type: ignore[call-arg]
    hubs = build(settings), build(settings)
    async with hubs[0].uow() as uow:
        await SqlConnectorInstances(uow.session).add("books", "ledger", "sealed", {})
        await uow.commit()
    try:
        yield hubs
    finally:
        for hub in hubs:
            await hub.close()


async def test_two_processes_refreshing_at_once_spend_the_refresh_token_once(two_hubs: tuple[Hub, Hub]) -> None:
    vendor = TokenVendor(delay=0.2)
    grant = vendor.grant()
    one, two = (tokens(hub.uow, vendor, grant) for hub in two_hubs)
    first, second = await asyncio.gather(one.access_token(), two.access_token())

    assert vendor.refreshes == [(grant, 200)], "exactly one refresh, none refused"
    assert first == second and first in vendor.live_access
    async with two_hubs[1].uow.reader() as uow:
        stored = await uow.credentials.get("books")
    assert stored is not None and stored["refresh_token"] == vendor.newest_refresh

    # The stored token is the one the next refresh spends, from either hub.
    vendor.live_access.clear()
    assert await two.refresh(stale=second) != second
    assert [status for _, status in vendor.refreshes] == [200, 200]


async def test_the_stored_tokens_are_encrypted(two_hubs: tuple[Hub, Hub]) -> None:
    vendor = TokenVendor()
    oauth = tokens(two_hubs[0].uow, vendor, vendor.grant())
    access = await oauth.access_token()
    async with two_hubs[0].uow.reader() as uow:
        from sqlalchemy import select

        from hub.db import tables as t

        sealed = await uow.session.scalar(select(t.connector_credentials.c.secrets))
    assert sealed and access not in sealed and vendor.newest_refresh not in sealed
