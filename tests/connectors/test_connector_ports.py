"""The connector's unit of work (``hub.connectors.sdk.ports``) behaves the same in memory
(``tests/fakes.py``) as on SQLite and PostgreSQL (``hub.db``): one contract, three stores.

What a connector relies on: state commits with the unit of work or not at all; a record
binds once from either side; a cursor never moves back; a webhook delivery is taken in
once; work asked for twice is one item.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.connectors.sdk.ports import ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.core.errors import DuplicateRecord
from hub.db.connectors import SqlConnectorInstances
from hub.db.work_queue import WorkQueue
from tests.conftest import _empty_postgres
from tests.fakes import FakeStore


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest) -> str:
    """``memory``, or the URL of an empty, migrated database."""
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        asyncio.run(_empty_postgres(url))
        return url
    return "memory"


@pytest.fixture
async def uows(where: str) -> AsyncIterator[ConnectorUnitOfWorks]:
    if where == "memory":
        yield FakeStore()
        return
    hub: Hub = build(Settings(database_url=where, migrate_on_start=False, _env_file=None))  # type: ignore[call-arg]
    async with hub.uow() as uow:  # the instances the state belongs to (a foreign key in SQL)
        for instance in ("shop", "other"):
            await SqlConnectorInstances(uow.session).add(instance, "shopify", "sealed", {})
        await uow.commit()
    try:
        yield hub.uow
    finally:
        await hub.close()


async def test_bindings_commit_with_the_unit_and_bind_once_from_either_side(uows: ConnectorUnitOfWorks) -> None:
    async with uows() as uow:
        await uow.bindings.add(Binding("shop", "order", "1", "gid://Order/1", last_version="v1"))
        # not committed: gone
    async with uows.reader() as uow:
        assert await uow.bindings.by_external("shop", "order", "gid://Order/1") is None

    async with uows() as uow:
        await uow.bindings.add(Binding("shop", "order", "1", "gid://Order/1", last_version="v1"))
        await uow.bindings.add(Binding("other", "order", "1", "gid://Order/1"))  # another instance: its own
        await uow.commit()
    for duplicate in (Binding("shop", "order", "1", "gid://Order/9"), Binding("shop", "order", "2", "gid://Order/1")):
        async with uows() as uow:
            with pytest.raises(DuplicateRecord):
                await uow.bindings.add(duplicate)

    async with uows() as uow:
        found = await uow.bindings.by_canonical("shop", "order", "1")
        assert found is not None and found.external_id == "gid://Order/1" and found.last_version == "v1"
        found.last_version, found.data = "v2", {"refunds": ["r1"]}
        await uow.bindings.save(found)
        await uow.commit()
    async with uows.reader() as uow:
        again = await uow.bindings.by_external("shop", "order", "gid://Order/1")
        assert again is not None and again.last_version == "v2" and again.data == {"refunds": ["r1"]}
        assert [b.canonical_id for b in await uow.bindings.all("shop", "order")] == ["1"]


async def test_remember_binds_new_and_known_records_with_what_was_written(uows: ConnectorUnitOfWorks) -> None:
    async with uows() as uow:
        await uow.bindings.remember("shop", "level", {"A@L1": ("item-A@L1", "5"), "B@L1": ("item-B@L1", "0")})
        await uow.commit()
    async with uows() as uow:
        await uow.bindings.remember("shop", "level", {"A@L1": ("item-A@L1", "7")})
        await uow.commit()
    async with uows.reader() as uow:
        found = await uow.bindings.many("shop", "level", ["A@L1", "B@L1", "C@L1"])
    assert {key: b.last_hash for key, b in found.items()} == {"A@L1": "7", "B@L1": "0"}
    async with uows.reader() as uow:
        assert await uow.bindings.last_hashes("shop", "level", ["A@L1", "B@L1", "C@L1"]) == {"A@L1": "7", "B@L1": "0"}
        assert await uow.bindings.last_hashes("shop", "item", ["A@L1"]) == {}


async def test_a_cursor_only_moves_forwards(uows: ConnectorUnitOfWorks) -> None:
    async with uows() as uow:
        assert await uow.cursors.get("shop", "orders.updated_at") is None
        assert await uow.cursors.advance("shop", "orders.updated_at", "2026-12-07T10:00:00Z") == "2026-12-07T10:00:00Z"
        assert await uow.cursors.advance("shop", "orders.updated_at", "2026-12-07T09:00:00Z") == "2026-12-07T10:00:00Z"
        await uow.commit()
    async with uows.reader() as uow:
        assert await uow.cursors.get("shop", "orders.updated_at") == "2026-12-07T10:00:00Z"


async def test_holds_are_kept_with_their_latest_reason_until_released(uows: ConnectorUnitOfWorks) -> None:
    async with uows() as uow:
        await uow.holds.hold("shop", "order", "gid://Order/1", "#1001: SKU X unknown")
        await uow.holds.hold("shop", "order", "gid://Order/1", "#1001: SKU X inactive")
        await uow.holds.hold("shop", "order", "gid://Order/2", "#1002: location not mapped")
        await uow.commit()
    async with uows() as uow:
        held = await uow.holds.active("shop")
        assert sorted((h.external_id, h.reason) for h in held) == [
            ("gid://Order/1", "#1001: SKU X inactive"),
            ("gid://Order/2", "#1002: location not mapped"),
        ]
        assert all(h.first_seen <= h.last_seen for h in held)
        await uow.holds.release("shop", "order", "gid://Order/1")
        await uow.commit()
    async with uows.reader() as uow:
        assert [h.external_id for h in await uow.holds.active("shop")] == ["gid://Order/2"]
        assert await uow.holds.active("other") == []


async def test_a_webhook_delivery_is_taken_in_once(uows: ConnectorUnitOfWorks) -> None:
    async with uows() as uow:
        assert await uow.webhook_receipts.first_time("shop", "w-1", "orders/create")
        # rolled back: the delivery was not taken in, so its redelivery is
    async with uows() as uow:
        assert await uow.webhook_receipts.first_time("shop", "w-1", "orders/create")
        await uow.commit()
    async with uows() as uow:
        assert not await uow.webhook_receipts.first_time("shop", "w-1", "orders/create")
        assert await uow.webhook_receipts.first_time("other", "w-1", "orders/create")


async def test_work_asked_for_twice_is_one_item(uows: ConnectorUnitOfWorks) -> None:
    async with uows() as uow:
        await uow.work.enqueue("shop", "order", ["gid://Order/1", "gid://Order/1", "gid://Order/2"])
        await uow.work.enqueue("shop", "order", ["gid://Order/1"])
        await uow.commit()
    if isinstance(uows, FakeStore):
        queued = sorted(key for (connector, kind, key) in uows.tables.work if (connector, kind) == ("shop", "order"))
    else:
        items = await WorkQueue(uows.db).due("shop", "order", 10)  # type: ignore[attr-defined]
        queued = sorted(item.key for item in items)
    assert queued == ["gid://Order/1", "gid://Order/2"]
