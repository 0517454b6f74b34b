"""Reading the outbox: the relay's unpublished rows, dispatchers' rows after a cursor.

A record carries its envelope already serialised (``message``): the bytes that go to
Kafka, or to an in-process subscriber, are the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.db import tables as t
from hub.db.engine import Database
from hub.db.types import utcnow

__all__ = ["Backlog", "OutboxRecord", "after", "backlog", "cursor", "mark_published", "save_cursor", "unpublished"]

_o = t.outbox.c
_COLUMNS = (
    _o.id,
    _o.event_id,
    _o.type,
    _o.version,
    _o.aggregate_type,
    _o.aggregate_id,
    _o.tenant,
    _o.occurred_at,
    _o.correlation_id,
    _o.causation_id,
    # The payload as stored JSON text: spliced into the message without a parse/dump.
    cast(_o.payload, Text).label("payload"),
)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    seq: int
    event_id: str
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    occurred_at: datetime
    #: The envelope as JSON (UTF-8): what is published.
    message: bytes

    @property
    def topic(self) -> str:
        return f"hub.{self.aggregate_type}.v1"


def _record(row: object) -> OutboxRecord:
    r = row  # a Row; attribute access by column name
    head = json.dumps(
        {
            "event_id": r.event_id,  # type: ignore[attr-defined]
            "type": r.type,  # type: ignore[attr-defined]
            "version": r.version,  # type: ignore[attr-defined]
            "aggregate_type": r.aggregate_type,  # type: ignore[attr-defined]
            "aggregate_id": r.aggregate_id,  # type: ignore[attr-defined]
            "tenant": r.tenant,  # type: ignore[attr-defined]
            "occurred_at": r.occurred_at.isoformat().replace("+00:00", "Z"),  # type: ignore[attr-defined]
            "correlation_id": r.correlation_id,  # type: ignore[attr-defined]
            "causation_id": r.causation_id,  # type: ignore[attr-defined]
        },
        separators=(",", ":"),
    )
    message = f'{head[:-1]},"payload":{r.payload}}}'  # type: ignore[attr-defined]
    return OutboxRecord(
        seq=r.id,  # type: ignore[attr-defined]
        event_id=r.event_id,  # type: ignore[attr-defined]
        type=r.type,  # type: ignore[attr-defined]
        version=r.version,  # type: ignore[attr-defined]
        aggregate_type=r.aggregate_type,  # type: ignore[attr-defined]
        aggregate_id=r.aggregate_id,  # type: ignore[attr-defined]
        occurred_at=r.occurred_at,  # type: ignore[attr-defined]
        message=message.encode(),
    )


async def unpublished(db: Database, limit: int) -> list[OutboxRecord]:
    """The oldest unpublished rows, in commit order."""
    stmt = select(*_COLUMNS).where(_o.published_at.is_(None)).order_by(_o.id).limit(limit)
    async with db.engine.connect() as conn:
        return [_record(row) for row in await conn.execute(stmt)]


async def mark_published(db: Database, up_to: int) -> None:
    """Mark every unpublished row up to ``up_to`` published.

    The relay publishes in id order and ids follow commit order, so the unpublished
    rows at or below the last one sent are exactly the ones just sent.
    """
    stmt = update(t.outbox).where(_o.id <= up_to, _o.published_at.is_(None)).values(published_at=utcnow())
    async with db.writing() as conn:
        await conn.execute(stmt)


async def after(db: Database, position: int, limit: int) -> list[OutboxRecord]:
    """Rows after ``position``, in commit order (published or not)."""
    stmt = select(*_COLUMNS).where(_o.id > position).order_by(_o.id).limit(limit)
    async with db.engine.connect() as conn:
        return [_record(row) for row in await conn.execute(stmt)]


async def cursor(db: Database, subscriber: str) -> int:
    stmt = select(t.subscriber_cursors.c.position).where(t.subscriber_cursors.c.subscriber == subscriber)
    async with db.engine.connect() as conn:
        return int(await conn.scalar(stmt) or 0)


async def save_cursor(db: Database, subscriber: str, position: int) -> None:
    dialect_insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    stmt = dialect_insert(t.subscriber_cursors).values(subscriber=subscriber, position=position, updated_at=utcnow())
    stmt = stmt.on_conflict_do_update(
        index_elements=["subscriber"], set_={"position": position, "updated_at": utcnow()}
    )
    async with db.writing() as conn:
        await conn.execute(stmt)


@dataclass(frozen=True)
class Backlog:
    rows: int
    oldest: datetime | None
    last_seq: int


async def backlog(db: Database) -> Backlog:
    """Unpublished rows, when the oldest of them occurred, and the newest outbox position."""
    async with db.engine.connect() as conn:
        rows, oldest = (
            await conn.execute(select(func.count(), func.min(_o.occurred_at)).where(_o.published_at.is_(None)))
        ).one()
        last = await conn.scalar(select(func.max(_o.id)))
    return Backlog(rows=int(rows), oldest=oldest, last_seq=int(last or 0))
