"""The connector work queue: what each instance owes the outside world.

Event handlers enqueue (in the same transaction as the event's inbox row, so a trigger
is never lost nor doubled); the instance's worker claims due items in batches, does
the external work at the vendor's pace, then completes or fails them. Items are keyed
``(connector, kind, key)``: a burst of changes to one SKU is one item. An item enqueued
again while it is being worked keeps its row (its version moved) and runs once more,
so the last change always gets pushed. Failures back off; past the limit the item
becomes a dead letter (``hub dlq``), whose retry enqueues it again. Work that must wait
for the instance rather than failed on its own (a vendor budget spent until midnight)
is deferred: due later, no attempt counted, never dead-lettered for the wait.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import tables as t
from hub.db.dead_letters import WORK, file_dead_letter
from hub.db.engine import Database
from hub.db.types import utcnow
from hub.db.upsert import upsert_insert

__all__ = ["DEAD_LETTER_PREFIX", "Item", "WorkQueue", "enqueue"]

_q = t.connector_queue.c
#: Dead letters of queue items (``kind`` work) name their subscriber ``connector:<id>`` for people.
DEAD_LETTER_PREFIX = "connector:"


@dataclass(frozen=True)
class Item:
    connector_id: str
    kind: str
    key: str
    version: int
    attempts: int


async def enqueue(session: AsyncSession, connector_id: str, kind: str, keys: Iterable[str]) -> None:
    """Ask for work, within the caller's transaction (idempotent per key)."""
    rows = [
        dict(
            connector_id=connector_id, kind=kind, key=key, version=1, enqueued_at=utcnow(), due_at=utcnow(), attempts=0
        )
        for key in dict.fromkeys(keys)
    ]
    if not rows:
        return
    stmt = upsert_insert(session, t.connector_queue).values(rows)
    # Re-enqueued: bump the version (a worker holding the old one will leave the row),
    # but keep any backoff — a failing vendor is not hammered by each new trigger.
    stmt = stmt.on_conflict_do_update(
        index_elements=["connector_id", "kind", "key"], set_={"version": t.connector_queue.c.version + 1}
    )
    await session.execute(stmt)
    # Wake the instance workers once the caller's unit of work commits.
    session.info.setdefault("hub_after_commit", set()).add("work")


class WorkQueue:
    def __init__(self, db: Database, *, max_attempts: int = 8, base_delay: float = 2.0, max_delay: float = 600.0):
        self.db, self.max_attempts = db, max_attempts
        self.base_delay, self.max_delay = base_delay, max_delay

    async def due(self, connector_id: str, kind: str, limit: int) -> list[Item]:
        stmt = (
            select(_q.connector_id, _q.kind, _q.key, _q.version, _q.attempts)
            .where(_q.connector_id == connector_id, _q.kind == kind, _q.due_at <= utcnow())
            .order_by(_q.due_at, _q.enqueued_at)
            .limit(limit)
        )
        async with self.db.engine.connect() as conn:
            return [Item(*row) for row in await conn.execute(stmt)]

    async def next_due(self, connector_id: str) -> datetime | None:
        async with self.db.engine.connect() as conn:
            due: datetime | None = await conn.scalar(
                select(_q.due_at).where(_q.connector_id == connector_id).order_by(_q.due_at).limit(1)
            )
        return due

    async def depth(self, connector_id: str) -> dict[str, int]:
        stmt = select(_q.kind, func.count()).where(_q.connector_id == connector_id).group_by(_q.kind)
        async with self.db.engine.connect() as conn:
            return {kind: int(n) for kind, n in await conn.execute(stmt)}

    async def complete(self, items: Iterable[Item]) -> None:
        items = list(items)
        if not items:
            return
        async with self.db.writing() as conn:
            await conn.execute(delete(t.connector_queue).where(or_(*(_same(item) for item in items))))

    async def fail(self, item: Item, error: str) -> bool:
        """Back off, or — past the limit — dead-letter the item; True if it was dead-lettered."""
        attempts = item.attempts + 1
        async with self.db.writing() as conn:
            if attempts < self.max_attempts:
                delay = min(self.max_delay, self.base_delay * 2 ** (attempts - 1))
                await conn.execute(
                    update(t.connector_queue)
                    .where(_key(item))
                    .values(attempts=attempts, last_error=error[:2000], due_at=utcnow() + timedelta(seconds=delay))
                )
                return False
            await conn.execute(delete(t.connector_queue).where(_key(item)))
            await file_dead_letter(
                conn,
                kind=WORK,
                subscriber=f"{DEAD_LETTER_PREFIX}{item.connector_id}",
                connector_id=item.connector_id,
                type=item.kind,
                aggregate_type="connector_queue",
                aggregate_id=item.key,
                source=f"queue:{item.connector_id}/{item.kind}/{item.key}",
                message=json.dumps({"connector_id": item.connector_id, "kind": item.kind, "key": item.key}),
                error=error,
                attempts=attempts,
            )
            return True

    async def defer(self, items: Iterable[Item], until: datetime, reason: str) -> None:
        """Make ``items`` due at ``until`` without counting an attempt (``reason`` shows on
        the instance's status until they run)."""
        items = list(items)
        if not items:
            return
        async with self.db.writing() as conn:
            await conn.execute(
                update(t.connector_queue)
                .where(or_(*(_key(item) for item in items)))
                .values(last_error=reason[:2000], due_at=until)
            )

    async def errors(self, connector_id: str, limit: int = 20) -> list[dict[str, object]]:
        """Items currently failing, with their last error (for the connector's status)."""
        stmt = (
            select(_q.kind, _q.key, _q.attempts, _q.last_error, _q.due_at)
            .where(_q.connector_id == connector_id, _q.last_error.is_not(None))
            .order_by(_q.due_at)
            .limit(limit)
        )
        async with self.db.engine.connect() as conn:
            return [dict(row._mapping) for row in await conn.execute(stmt)]


def _key(item: Item) -> ColumnElement[bool]:
    return and_(_q.connector_id == item.connector_id, _q.kind == item.kind, _q.key == item.key)


def _same(item: Item) -> ColumnElement[bool]:
    """The row as claimed: not one enqueued again since."""
    return and_(_key(item), _q.version == item.version)
