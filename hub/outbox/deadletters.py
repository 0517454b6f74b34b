"""Dead letters: listing them, re-driving one through its subscriber, dropping one.

Statuses: ``pending`` (waiting for an operator), ``retried`` (re-driven successfully),
``dropped`` (given up on purpose). A re-drive that fails again stays ``pending`` with
the new error and more attempts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import tables as t
from hub.db.dead_letters import WORK
from hub.db.engine import Database
from hub.db.types import utcnow
from hub.db.work_queue import enqueue
from hub.outbox.delivery import Delivery, Message, Outcome
from hub.outbox.subscribers import Subscriber

__all__ = ["DeadLetterError", "DeadLetterRow", "count_pending", "drop", "get", "list_letters", "retry"]

_d = t.dead_letters.c


class DeadLetterError(Exception):
    """The dead letter cannot be acted on (unknown id, wrong status, unknown subscriber)."""


@dataclass(frozen=True)
class DeadLetterRow:
    id: int
    subscriber: str
    #: ``event`` or ``work`` (hub.db.dead_letters).
    kind: str
    connector_id: str | None
    event_id: str | None
    type: str | None
    aggregate_type: str | None
    aggregate_id: str | None
    source: str
    message: str
    error: str
    attempts: int
    status: str
    created_at: datetime
    updated_at: datetime


def _row(row: object) -> DeadLetterRow:
    return DeadLetterRow(**row._mapping)  # type: ignore[attr-defined]


async def list_letters(db: Database, *, status: str | None = "pending", limit: int = 100) -> list[DeadLetterRow]:
    stmt = select(t.dead_letters).order_by(_d.id).limit(limit)
    if status is not None:
        stmt = stmt.where(_d.status == status)
    async with db.engine.connect() as conn:
        return [_row(row) for row in await conn.execute(stmt)]


async def get(db: Database, letter_id: int) -> DeadLetterRow | None:
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(t.dead_letters).where(_d.id == letter_id))).one_or_none()
    return None if row is None else _row(row)


async def count_pending(db: Database) -> dict[str, int]:
    """Pending dead letters per subscriber."""
    stmt = select(_d.subscriber, func.count()).where(_d.status == "pending").group_by(_d.subscriber)
    async with db.engine.connect() as conn:
        return {name: int(n) for name, n in await conn.execute(stmt)}


async def retry(
    db: Database, delivery: Delivery, subscribers: Mapping[str, Subscriber], letter_id: int
) -> tuple[Outcome, DeadLetterRow]:
    """Hand the stored message to its subscriber again; the letter's row records the result.

    A connector's queue item (``kind`` work) is not handled here but put
    back on that instance's queue: its worker does the work at the vendor's pace, and
    the letter counts as retried once it is queued."""
    letter = await _pending(db, letter_id)
    if letter.kind == WORK:
        return await _requeue(db, letter)
    subscriber = subscribers.get(letter.subscriber)
    if subscriber is None:
        raise DeadLetterError(f"dead letter {letter_id} belongs to {letter.subscriber!r}, which this hub does not run")
    outcome = await delivery.handle(subscriber, Message(letter.message.encode(), letter.source), redrive=letter_id)
    after = await get(db, letter_id)
    assert after is not None
    return outcome, after


async def _requeue(db: Database, letter: DeadLetterRow) -> tuple[Outcome, DeadLetterRow]:
    try:
        item = json.loads(letter.message)
        connector_id, kind, key = str(item["connector_id"]), str(item["kind"]), str(item["key"])
    except (ValueError, KeyError, TypeError) as error:
        raise DeadLetterError(f"dead letter {letter.id} holds no queue item: {error}") from error
    instance = select(t.connector_instances.c.id).where(t.connector_instances.c.id == connector_id)
    async with db.writing() as conn:
        if await conn.scalar(instance) is None:
            raise DeadLetterError(
                f"dead letter {letter.id} belongs to connector {connector_id}, which no longer exists"
            )
        await enqueue(AsyncSession(bind=conn), connector_id, kind, [key])
        await conn.execute(
            update(t.dead_letters).where(_d.id == letter.id).values(status="retried", updated_at=utcnow())
        )
    db.work_signal.notify()
    after = await get(db, letter.id)
    assert after is not None
    return Outcome.APPLIED, after


async def drop(db: Database, letter_id: int) -> DeadLetterRow:
    await _pending(db, letter_id)
    async with db.writing() as conn:
        await conn.execute(
            update(t.dead_letters).where(_d.id == letter_id).values(status="dropped", updated_at=utcnow())
        )
    after = await get(db, letter_id)
    assert after is not None
    return after


async def _pending(db: Database, letter_id: int) -> DeadLetterRow:
    letter = await get(db, letter_id)
    if letter is None:
        raise DeadLetterError(f"no dead letter with id {letter_id}")
    if letter.status != "pending":
        raise DeadLetterError(f"dead letter {letter_id} is {letter.status}, not pending")
    return letter
