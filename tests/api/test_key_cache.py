"""Known keys are authenticated without a database round trip, and a revocation — by
this process, another hub on the same database, or ``hub keys revoke`` — is refused
from the very next request."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.core import handlers
from hub.core.commands import NewWarehouse
from tests.api.test_auth import assert_unauthorized, bearer


@contextmanager
def statements(hub: Hub) -> Iterator[list[str]]:
    """The SQL statements the hub's engine runs inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    from sqlalchemy import event

    event.listen(hub.db.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(hub.db.engine.sync_engine, "before_cursor_execute", note)


async def until_cached(hub: Hub, secret: str) -> None:
    """Wait until the key authenticates from the cache (PostgreSQL's watch starts listening first)."""
    for _ in range(100):
        with statements(hub) as seen:
            assert await hub.keys.authenticate(secret) is not None
        if not seen:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the key never came from the cache")


async def test_a_known_key_costs_no_database_round_trip(hub: Hub, anon: httpx.AsyncClient) -> None:
    _record, secret = await hub.keys.create({"stock:read"})
    assert (await anon.get("/v1/products", headers=bearer(secret))).status_code == 200
    await until_cached(hub, secret)
    with statements(hub) as seen:
        assert (await anon.get("/v1/products/NONE", headers=bearer(secret))).status_code == 404
    assert not any("api_keys" in statement for statement in seen), seen
    # An unknown key is looked up every time, and refused.
    with statements(hub) as seen:
        assert_unauthorized(await anon.get("/v1/products", headers=bearer("jxc_not-a-key")))
    assert any("api_keys" in statement for statement in seen)


async def test_writes_elsewhere_keep_the_cache(hub: Hub, settings: Settings, anon: httpx.AsyncClient) -> None:
    _record, secret = await hub.keys.create({"write"})
    await until_cached(hub, secret)
    other = build(settings)
    try:
        async with other.uow() as uow:  # stock, orders …: a commit by another connection
            await handlers.create_warehouse(NewWarehouse(code="XX", name="Elsewhere"), uow)
            await uow.commit()
    finally:
        await other.close()
    with statements(hub) as seen:
        assert await hub.keys.authenticate(secret) is not None
    assert seen == []


async def test_a_key_revoked_by_another_hub_is_refused_at_once(
    hub: Hub, settings: Settings, anon: httpx.AsyncClient
) -> None:
    record, secret = await hub.keys.create({"stock:read"}, name="leaked")
    assert (await anon.get("/v1/stock", headers=bearer(secret))).status_code == 200
    await until_cached(hub, secret)
    other = build(settings)  # its own engine and key store: what a second `hub serve` has
    try:
        assert await other.keys.revoke(record.id)
    finally:
        await other.close()
    assert_unauthorized(await anon.get("/v1/stock", headers=bearer(secret)))
    assert_unauthorized(await anon.get("/v1/products/TEA", headers=bearer(secret)))


async def test_a_key_revoked_by_the_cli_is_refused_at_once(
    hub: Hub, database_url: str, anon: httpx.AsyncClient
) -> None:
    record, secret = await hub.keys.create({"stock:read"}, name="leaked")
    _kept, kept = await hub.keys.create({"stock:read"}, name="kept")
    for key in (secret, kept):
        assert (await anon.get("/v1/stock", headers=bearer(key))).status_code == 200
        await until_cached(hub, key)
    env = {**os.environ, "HUB_DATABASE_URL": database_url, "HUB_MIGRATE_ON_START": "false"}
    cli = Path(sys.executable).with_name("hub")
    process = await asyncio.create_subprocess_exec(
        str(cli), "keys", "revoke", str(record.id), env=env, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert_unauthorized(await anon.get("/v1/stock", headers=bearer(secret)))
    assert (await anon.get("/v1/stock", headers=bearer(kept))).status_code == 200
