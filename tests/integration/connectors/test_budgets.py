"""Shared budgets in the database: counted across engines, windows, and the worker that
parks work while a budget is spent. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import delete, insert, select

from hub.bootstrap import Hub
from hub.connectors.runtime import InstanceWorker
from hub.connectors.sdk.base import Work
from hub.connectors.sdk.budgets import DAY, Budget, SharedBudget
from hub.connectors.sdk.errors import BudgetSpent
from hub.connectors.sdk.testing import FakeTime
from hub.db import tables as t
from hub.db.budgets import SqlBudgets
from hub.db.engine import open_database
from hub.db.types import utcnow
from hub.db.work_queue import enqueue

WINDOW = 20_833 * DAY  # a day window's start, epoch seconds (2027-01-15 00:00 UTC)


@pytest.fixture
async def instance(hub: Hub) -> AsyncIterator[str]:
    connector_id = f"xero-{uuid.uuid4().hex[:8]}"
    async with hub.db.writing() as conn:
        await conn.execute(
            insert(t.connector_instances).values(
                id=connector_id, type="xero", config="sealed", mappings={}, status="active", created_at=utcnow()
            )
        )
    yield connector_id
    async with hub.db.writing() as conn:
        await conn.execute(delete(t.connector_instances).where(t.connector_instances.c.id == connector_id))


async def used(hub: Hub, connector_id: str) -> dict[str, tuple[int, int]]:
    c = t.connector_budgets.c
    async with hub.db.engine.connect() as conn:
        rows = await conn.execute(select(c.budget, c.window_start, c.used).where(c.connector_id == connector_id))
        return {budget: (start, count) for budget, start, count in rows}


async def test_a_budget_is_taken_up_to_its_limit_in_each_window(hub: Hub, instance: str) -> None:
    store = SqlBudgets(hub.db)
    assert [await store.take(instance, "day", WINDOW, 5, 2) for _ in range(3)] == [True, True, False]
    assert await store.take(instance, "day", WINDOW, 5, 1)
    assert not await store.take(instance, "day", WINDOW, 5, 1)
    assert await used(hub, instance) == {"day": (WINDOW, 5)}
    assert not await store.take(instance, "minute", WINDOW, 5, 6)  # more than the whole budget
    # The next window starts from zero; a process whose clock is behind counts into it
    # rather than resetting it.
    assert await store.take(instance, "day", WINDOW + DAY, 5, 4)
    assert await store.take(instance, "day", WINDOW, 5, 1)
    assert not await store.take(instance, "day", WINDOW, 5, 1)
    assert await used(hub, instance) == {"day": (WINDOW + DAY, 5)}


async def test_a_day_quota_outlives_the_process_that_spent_it(hub: Hub, instance: str) -> None:
    time = FakeTime(WINDOW + 3600)
    day = Budget("day", 3, DAY)
    first = SharedBudget(SqlBudgets(hub.db), instance, day, vendor="Xero", clock=time, sleep=time.sleep)
    for _ in range(3):
        await first.take()
    restarted = open_database(hub.settings.database_url)  # a new process: its own engine, nothing in memory
    try:
        again = SharedBudget(SqlBudgets(restarted), instance, day, vendor="Xero", clock=time, sleep=time.sleep)
        with pytest.raises(BudgetSpent) as raised:
            await again.take()
        assert raised.value.until == datetime.fromtimestamp(WINDOW + DAY, UTC)
    finally:
        await restarted.dispose()


async def test_two_engines_taking_at_once_never_exceed_the_budget(hub: Hub, instance: str) -> None:
    engines = [open_database(hub.settings.database_url) for _ in range(2)]
    try:
        stores = [SqlBudgets(db) for db in engines]
        takes = [stores[i % 2].take(instance, "day", WINDOW, 50, 1) for i in range(120)]
        taken = await asyncio.gather(*takes)
    finally:
        for db in engines:
            await db.dispose()
    assert sum(taken) == 50
    assert await used(hub, instance) == {"day": (WINDOW, 50)}


async def test_a_spent_budget_parks_the_batch_without_spending_its_attempts(hub: Hub, instance: str) -> None:
    async with hub.uow() as uow:
        await enqueue(uow.session, instance, "invoice", ["INV-1", "INV-2"])
        await uow.commit()
    until = (utcnow() + timedelta(hours=5)).replace(microsecond=0)
    handled: list[list[str]] = []

    async def handle(keys: list[str]) -> dict[str, str | None]:
        handled.append(keys)
        raise BudgetSpent("Xero budget day (5000 per day) spent until then", until=until)

    service: Any = SimpleNamespace(db=hub.db)
    worker = InstanceWorker(service, hub.work, SimpleNamespace(id=instance))  # type: ignore[arg-type]
    assert await worker._drain("invoice", Work(batch=10, handle=handle))
    assert await worker._drain("invoice", Work(batch=10, handle=handle)) is False  # parked, not due
    assert handled == [["INV-1", "INV-2"]]
    q = t.connector_queue.c
    async with hub.db.engine.connect() as conn:
        rows = (
            await conn.execute(select(q.key, q.attempts, q.due_at, q.last_error).where(q.connector_id == instance))
        ).all()
    assert sorted((key, attempts) for key, attempts, *_ in rows) == [("INV-1", 0), ("INV-2", 0)]
    assert all(due == until and "BudgetSpent: Xero budget day" in error for *_, due, error in rows)
    async with hub.db.engine.connect() as conn:
        assert (
            await conn.scalar(select(t.dead_letters.c.id).where(t.dead_letters.c.subscriber == f"connector:{instance}"))
            is None
        )
