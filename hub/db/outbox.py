"""Reading the outbox: the relay's unpublished rows, dispatchers' rows after a cursor.

A record carries its envelope already serialised (``message``): the bytes that go to
Kafka, or to an in-process subscriber, are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring_ascii as _string  # what json.dumps escapes str with
from typing import Any

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.db import tables as t
from hub.db.engine import Database
from hub.db.types import utcnow

__all__ = [
    "Backlog",
    "OutboxRecord",
    "after",
    "backlog",
    "cursor",
    "cursors",
    "mark_published",
    "save_cursor",
    "unpublished",
]

_o = t.outbox.c
#: What the readers select, in the order :func:`_record` unpacks.
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


def _record(row: Sequence[Any]) -> OutboxRecord:
    seq, event_id, kind, version, aggregate_type, aggregate_id, tenant, occurred, correlation, causation, payload = row
    # Spelled out rather than json.dumps of a dict — the same bytes (compact separators,
    # strings escaped by json's own ASCII encoder) for a third of the cost: the relay
    # runs this for every event it publishes.
    message = (
        f'{{"event_id":{_string(event_id)},"type":{_string(kind)},"version":{int(version)},'
        f'"aggregate_type":{_string(aggregate_type)},"aggregate_id":{_string(aggregate_id)},'
        f'"tenant":{_string(tenant)},"occurred_at":"{occurred.isoformat().replace("+00:00", "Z")}",'
        f'"correlation_id":{_nullable(correlation)},"causation_id":{_nullable(causation)},"payload":{payload}}}'
    )
    return OutboxRecord(seq, event_id, kind, version, aggregate_type, aggregate_id, occurred, message.encode())


def _nullable(value: str | None) -> str:
    return "null" if value is None else _string(value)


async def unpublished(db: Database, limit: int, *, after_seq: int = 0) -> list[OutboxRecord]:
    """The oldest unpublished rows past position ``after_seq``, in commit order."""
    stmt = select(*_COLUMNS).where(_o.published_at.is_(None), _o.id > after_seq).order_by(_o.id).limit(limit)
    async with db.engine.connect() as conn:
        return [_record(row) for row in await conn.execute(stmt)]


async def mark_published(db: Database, up_to: int, *, from_seq: int = 0) -> None:
    """Mark every unpublished row from ``from_seq`` up to ``up_to`` published.

    The relay publishes in id order and ids follow commit order, so the unpublished
    rows at or below the last one sent are exactly the ones just sent. It names the
    batch's first row too: the index scan then starts there instead of walking past
    every row marked before (dead index entries until a vacuum, on PostgreSQL).
    """
    stmt = (
        update(t.outbox)
        .where(_o.id >= from_seq, _o.id <= up_to, _o.published_at.is_(None))
        .values(published_at=utcnow())
    )
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


async def cursors(db: Database) -> dict[str, int]:
    """Every persisted subscriber cursor: the outbox position each has handled."""
    stmt = select(t.subscriber_cursors.c.subscriber, t.subscriber_cursors.c.position)
    async with db.engine.connect() as conn:
        return {name: int(position) for name, position in await conn.execute(stmt)}


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
