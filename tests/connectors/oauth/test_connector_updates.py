"""``PATCH /v1/connectors/{id}`` and an instance whose grant the vendor refused: checked as
on adding, nothing saved on a refusal, secrets left out kept; ``needs_reauth`` on the
status and in /metrics, its queue parked untouched until new credentials come."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from hub.api.app import create_app
from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.connectors.registry import connector_types
from hub.connectors.runtime import InstanceWorker
from hub.db import tables as t
from tests import openapi_conformance
from tests.connectors.oauth.vendor import LedgerConnector, TokenVendor


@pytest.fixture
def vendor() -> TokenVendor:
    return TokenVendor()


@pytest.fixture
async def hub(database_url: str, vendor: TokenVendor, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Hub]:
    monkeypatch.setitem(connector_types(), "ledger", LedgerConnector)
    settings = Settings(database_url=database_url, migrate_on_start=False, secret_key=SecretStr("k1"), _env_file=None)  # type: ignore[call-arg]
    built = build(settings)
    built.connectors.env.transport = vendor.transport()
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def admin(hub: Hub) -> AsyncIterator[httpx.AsyncClient]:
    _record, secret = await hub.keys.create({"admin"}, name="test admin")
    transport = httpx.ASGITransport(app=create_app(hub_=hub), raise_app_exceptions=False)
    hooks = {"response": [openapi_conformance.check]}
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://hub.test",
        event_hooks=hooks,
        headers={"Authorization": f"Bearer {secret}"},
    ) as http:
        yield http


async def _add(admin: httpx.AsyncClient, grant: str) -> dict[str, object]:
    added = await admin.post(
        "/v1/connectors", json={"id": "books", "type": "ledger", "config": {"refresh_token": grant}}
    )
    assert added.status_code == 201, added.text
    body: dict[str, object] = added.json()
    return body


async def _stored_refresh(hub: Hub) -> str | None:
    async with hub.uow.reader() as uow:
        stored = await uow.credentials.get("books")
    return None if stored is None else str(stored["refresh_token"])


async def test_adding_stores_the_token_the_check_was_given(
    hub: Hub, admin: httpx.AsyncClient, vendor: TokenVendor
) -> None:
    grant = vendor.grant()
    await _add(admin, grant)
    assert vendor.refreshes == [(grant, 200)]
    assert await _stored_refresh(hub) == vendor.newest_refresh, "the rotated refresh token was lost"

    # A refused add stores nothing, not even over the tokens of the instance it collides with.
    stored = await _stored_refresh(hub)
    refused = await admin.post(
        "/v1/connectors", json={"id": "books", "type": "ledger", "config": {"refresh_token": vendor.grant()}}
    )
    assert refused.status_code == 409 and len(vendor.refreshes) == 2
    assert await _stored_refresh(hub) == stored


async def test_patch_replaces_what_it_is_given_and_saves_nothing_it_refuses(
    hub: Hub, admin: httpx.AsyncClient, vendor: TokenVendor
) -> None:
    await _add(admin, vendor.grant())
    stored = await _stored_refresh(hub)

    for body, field in [
        ({"config": {"refresh_token": "x", "surprise": 1}}, "config.surprise"),
        ({"config": {"refresh_token": "rt-unknown"}}, "config"),  # the vendor refuses it
        ({"mappings": {"anything": 1}}, "mappings.anything"),
        ({}, "config"),
    ]:
        refused = await admin.patch("/v1/connectors/books", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    assert (await admin.patch("/v1/connectors/nope", json={"mappings": {}})).status_code == 404
    assert await _stored_refresh(hub) == stored and (await hub.connectors.instance("books")).status == "active"

    # Only mappings: the stored config (and its tokens) stay; the change is checked with them.
    before = await hub.connectors.instance("books")
    kept = await admin.patch("/v1/connectors/books", json={"mappings": {}})
    assert kept.status_code == 200, kept.text
    after = await hub.connectors.instance("books")
    assert hub.connectors.config_of(after) == hub.connectors.config_of(before)
    assert after.updated_at > before.updated_at
    # A config without its secrets (or with them masked, as shown) keeps them too.
    masked = await admin.patch("/v1/connectors/books", json={"config": {"client_secret": "**********"}})
    assert masked.status_code == 200, masked.text
    assert hub.connectors.config_of(await hub.connectors.instance("books")) == hub.connectors.config_of(before)


async def test_a_refused_grant_parks_the_instance_until_new_credentials_come(
    hub: Hub, admin: httpx.AsyncClient, vendor: TokenVendor
) -> None:
    await _add(admin, vendor.grant())
    async with hub.uow() as uow:
        await uow.work.enqueue("books", "push", ["a", "b"])
        await uow.commit()
    vendor.revoke()  # the organisation disconnected the app

    worker = InstanceWorker(hub.connectors, hub.work, await hub.connectors.instance("books"), idle=0.05)
    await asyncio.wait_for(worker.run(), 10)  # it stops by itself

    status = (await admin.get("/v1/connectors/books")).json()
    assert status["status"] == "needs_reauth"
    assert status["recent_errors"][0]["source"] == "credentials"
    assert "invalid_grant" in status["recent_errors"][0]["error"]
    assert status["queue"] == {"push": 2}
    async with hub.uow.reader() as uow:
        attempts = set(await uow.session.scalars(select(t.connector_queue.c.attempts)))
        letters = await uow.session.scalar(select(func.count()).select_from(t.dead_letters))
    assert attempts == {0} and letters == 0, "parked work was failed"
    metrics = (await admin.get("/metrics")).text
    assert 'hub_connector_needs_reauth{connector="books"} 1.0' in metrics
    assert "books" not in {row.id for row in await hub.connectors.rows() if row.status == "active"}

    # New credentials: checked, stored, active again; the queue is worked.
    grant = vendor.grant()
    patched = await admin.patch("/v1/connectors/books", json={"config": {"refresh_token": grant}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["status"] == "active"
    assert await _stored_refresh(hub) == vendor.newest_refresh
    assert 'hub_connector_needs_reauth{connector="books"} 0.0' in (await admin.get("/metrics")).text
    status = (await admin.get("/v1/connectors/books")).json()
    assert status["recent_errors"] == []

    worker = InstanceWorker(hub.connectors, hub.work, await hub.connectors.instance("books"), idle=0.05)
    task = asyncio.create_task(worker.run())
    for _ in range(200):
        if await hub.work.depth("books") == {}:
            break
        await asyncio.sleep(0.05)
    worker.stop.set()
    await asyncio.wait_for(task, 10)
    assert await hub.work.depth("books") == {}


async def test_patch_needs_the_admin_scope(hub: Hub, admin: httpx.AsyncClient, vendor: TokenVendor) -> None:
    await _add(admin, vendor.grant())
    _record, secret = await hub.keys.create({"write"}, name="writer")
    refused = await admin.patch(
        "/v1/connectors/books", json={"mappings": {}}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 403
