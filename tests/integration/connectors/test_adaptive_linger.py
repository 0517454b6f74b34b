"""The worker's linger adapts: a change after a quiet spell goes out at once; while a
burst is on, the changes that come in meanwhile gather into one batch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.connectors.runtime import InstanceWorker
from hub.connectors.sdk.base import Work
from hub.db.connectors import SqlConnectorInstances
from hub.db.work_queue import WorkQueue

LINGER = 1.0


@pytest.fixture
async def hub(sqlite_url: str) -> AsyncIterator[Hub]:
    built = build(Settings(database_url=sqlite_url, migrate_on_start=False, secret_key="k", _env_file=None))  # type: ignore[call-arg]
    async with built.uow() as uow:
        await SqlConnectorInstances(uow.session).add("shop", "shopify", "sealed", {})
        await uow.commit()
    try:
        yield built
    finally:
        await built.close()


async def _enqueue(hub: Hub, *keys: str, after: float = 0.0) -> None:
    await asyncio.sleep(after)
    async with hub.uow() as uow:
        await uow.work.enqueue("shop", "stock", list(keys))
        await uow.commit()


async def test_a_lone_change_goes_at_once_and_a_burst_is_batched(hub: Hub) -> None:
    batches: list[list[str]] = []

    async def handle(keys: list[str]) -> dict[str, str | None]:
        batches.append(sorted(keys))
        return dict.fromkeys(keys)

    work = Work(batch=100, handle=handle, linger=LINGER)
    worker = InstanceWorker(hub.connectors, WorkQueue(hub.db), await hub.connectors.instance("shop"))

    # After a quiet spell: A goes alone, though B arrives a moment later.
    await _enqueue(hub, "A")
    late = asyncio.create_task(_enqueue(hub, "B", after=0.1 * LINGER))
    assert await worker._drain("stock", work)
    await late
    assert batches == [["A"]]

    # A batch just went out: a burst is on, so B waits for C, which comes during the linger.
    during = asyncio.create_task(_enqueue(hub, "C", after=0.3 * LINGER))
    assert await worker._drain("stock", work)
    await during
    assert batches == [["A"], ["B", "C"]]


async def test_with_room_in_the_vendors_budget_a_burst_is_not_held_back(hub: Hub) -> None:
    batches: list[list[str]] = []
    room = [True]

    async def handle(keys: list[str]) -> dict[str, str | None]:
        batches.append(sorted(keys))
        return dict.fromkeys(keys)

    work = Work(batch=100, handle=handle, linger=LINGER, room=lambda: room[0])
    worker = InstanceWorker(hub.connectors, WorkQueue(hub.db), await hub.connectors.instance("shop"))
    for key in ("A", "B"):  # back to back, a burst: the budget has room, so each goes at once
        await _enqueue(hub, key)
        late = asyncio.create_task(_enqueue(hub, key.lower(), after=0.1 * LINGER))
        assert await worker._drain("stock", work)
        await late
    assert batches == [["A"], ["B", "a"]]

    room[0] = False  # the budget is short: the next partial batch waits for company
    during = asyncio.create_task(_enqueue(hub, "C", after=0.3 * LINGER))
    assert await worker._drain("stock", work)
    await during
    assert batches[-1] == ["C", "b"]
