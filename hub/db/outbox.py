"""The outbox as the relay and dispatchers see it: rows to publish, rows after a cursor.

Every row carries its envelope already serialised (``message``), written by the unit
of work that committed it (:func:`outbox_row`): the bytes that go to Kafka, or to an
in-process subscriber, are fixed once, at commit. Reading then costs the relay a
narrow select and no JSON work — it reads every event the hub ever publishes, and on
one thread shared with the producer, every microsecond per row shows in its rate.
Rows without a message (written before it was stored, or by hand) get theirs composed
from their columns as they are read: the same envelope, its payload spliced in as the
database keeps JSON (spacing and, on PostgreSQL, key order may differ).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _string  # what json.dumps escapes str with
from typing import Any, NamedTuple

from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.db import tables as t
from hub.db.engine import Database
from hub.db.types import utcnow
from hub.db.upsert import insert_for
from hub.outbox.envelope import Envelope

__all__ = [
    "Backlog",
    "OutboxLink",
    "OutboxRecord",
    "after",
    "backlog",
    "cursor",
    "cursors",
    "outbox_link",
    "outbox_row",
    "save_cursor",
    "unpublished",
]

_o = t.outbox.c


class OutboxRecord(NamedTuple):
    """An outbox row as it is published (a tuple: the relay makes one per event)."""

    seq: int
    event_id: str
    type: str
    aggregate_type: str
    aggregate_id: str
    #: The envelope as JSON (UTF-8): what is published.
    message: bytes

    @property
    def topic(self) -> str:
        return f"hub.{self.aggregate_type}.v1"


def outbox_row(envelope: Envelope) -> dict[str, Any]:
    """The outbox row for ``envelope``, with its message serialised once, here."""
    row = envelope.model_dump()
    row["message"] = _message(
        envelope.event_id,
        envelope.type,
        envelope.version,
        envelope.aggregate_type,
        envelope.aggregate_id,
        envelope.tenant,
        envelope.occurred_at.astimezone(UTC),
        envelope.correlation_id,
        envelope.causation_id,
        json.dumps(envelope.payload, separators=(",", ":")),
    )
    return row


def _message(
    event_id: str,
    kind: str,
    version: int,
    aggregate_type: str,
    aggregate_id: str,
    tenant: str,
    occurred: datetime,
    correlation: str | None,
    causation: str | None,
    payload: str,
) -> bytes:
    """The envelope as compact JSON, ``payload`` being JSON text already.

    Spelled out rather than json.dumps of a dict — the same bytes (compact separators,
    strings escaped by json's own ASCII encoder) for a third of the cost.
    """
    return (
        f'{{"event_id":{_string(event_id)},"type":{_string(kind)},"version":{int(version)},'
        f'"aggregate_type":{_string(aggregate_type)},"aggregate_id":{_string(aggregate_id)},'
        f'"tenant":{_string(tenant)},"occurred_at":"{occurred.isoformat().replace("+00:00", "Z")}",'
        f'"correlation_id":{_nullable(correlation)},"causation_id":{_nullable(causation)},"payload":{payload}}}'
    ).encode()


def _nullable(value: str | None) -> str:
    return "null" if value is None else _string(value)


# The relay's and dispatchers' statements, run on the driver itself (see OutboxLink),
# in each driver's parameter style. They select an OutboxRecord's fields, in order.
_RECORD = "SELECT id, event_id, type, aggregate_type, aggregate_id, message FROM outbox"
_UNPUBLISHED = {
    "postgresql": f"{_RECORD} WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2",
    "sqlite": f"{_RECORD} WHERE published_at IS NULL AND id > ? ORDER BY id LIMIT ?",
}
_AFTER = {
    "postgresql": f"{_RECORD} WHERE id > $1 ORDER BY id LIMIT $2",
    "sqlite": f"{_RECORD} WHERE id > ? ORDER BY id LIMIT ?",
}
#: PostgreSQL: the UPDATE goes out with its BEGIN, in one message, so the server works on
#: it at once; the COMMIT follows once it is done. Were the UPDATE a transaction of its
#: own, a mark waiting on a lock when its relay died would still land when the lock
#: came free; this way the server rolls it back when it finds the client gone. Ids are
#: formatted as integers (``:d``): there are no parameters in a multi-statement message.
_MARK_POSTGRESQL = (
    "BEGIN; UPDATE outbox SET published_at = now() WHERE id >= {first:d} AND id <= {last:d} AND published_at IS NULL"
)
_MARK_SQLITE = "UPDATE outbox SET published_at = ? WHERE id >= ? AND id <= ? AND published_at IS NULL"


class OutboxLink:
    """The relay's hold on the outbox while it drains a backlog: a connection to read
    the next rows on, and one to mark the last ones published on, side by side.

    Both are the driver's own connections (asyncpg, aiosqlite), checked out of the
    engine's pool for the drain. The relay reads and marks every event the hub
    publishes, on the thread it shares with the Kafka producer: SQLAlchemy's result
    rows, async adaptation and explicit transactions cost it several times what the
    driver's calls do, and a checkout per statement (with its ping, on PostgreSQL)
    holds a statement back until the event loop is free again — a mark could then
    only start once the next batch was queued, instead of while it is.
    """

    def __init__(self, db: Database, reader: Any, marker: Any) -> None:
        self.db, self._reader, self._marker = db, reader, marker

    async def unpublished(self, limit: int, *, after_seq: int = 0) -> list[OutboxRecord]:
        """The oldest unpublished rows past position ``after_seq``, in commit order."""
        return await self._records(_UNPUBLISHED, after_seq, limit)

    async def after(self, position: int, limit: int) -> list[OutboxRecord]:
        """Rows after ``position``, in commit order (published or not)."""
        return await self._records(_AFTER, position, limit)

    async def mark_published(self, up_to: int, *, from_seq: int = 0) -> None:
        """Mark every unpublished row from ``from_seq`` up to ``up_to`` published.

        The relay publishes in id order and ids follow commit order, so the unpublished
        rows at or below the last one sent are exactly the ones just sent. It names the
        batch's first row too: the index scan then starts there instead of walking past
        every row marked before (dead index entries until a vacuum, on PostgreSQL).
        """
        if self.db.dialect == "postgresql":
            await self._marker.execute(_MARK_POSTGRESQL.format(first=from_seq, last=up_to))
            await self._marker.execute("COMMIT")
            return
        # SQLite keeps timestamps as text in SQLAlchemy's format: the column converts.
        to_text = _o.published_at.type.bind_processor(self.db.engine.dialect)
        assert to_text is not None
        now = to_text(utcnow())
        async with self.db.write_lock or contextlib.nullcontext():
            await self._marker.execute(_MARK_SQLITE, (now, from_seq, up_to))
            # The hub's connections run without implicit transactions, but SQLAlchemy
            # puts sqlite3's back after a connection was used with AUTOCOMMIT: then
            # the UPDATE opened one. Committing when none is open does nothing.
            await self._marker.commit()

    async def _records(self, sql: dict[str, str], position: int, limit: int) -> list[OutboxRecord]:
        if self.db.dialect == "postgresql":
            rows: Sequence[Sequence[Any]] = await self._reader.fetch(sql["postgresql"], position, limit)
        else:
            rows = list(await self._reader.execute_fetchall(sql["sqlite"], (position, limit)))
        if any(row[5] is None for row in rows):
            rows = await _with_messages(self.db, rows)
        return list(map(OutboxRecord._make, rows))


@contextlib.asynccontextmanager
async def outbox_link(db: Database) -> AsyncIterator[OutboxLink]:
    """An :class:`OutboxLink`; its connections go back to the pool on leaving."""
    async with db.engine.connect() as reading, db.engine.connect() as marking:
        try:
            yield OutboxLink(db, await _driver(reading), await _driver(marking))
        except BaseException:
            # A statement cut short (cancelled, failed) may have left its connection
            # inside a transaction SQLAlchemy knows nothing of: hand neither back.
            await reading.invalidate()
            await marking.invalidate()
            raise


async def unpublished(db: Database, limit: int, *, after_seq: int = 0) -> list[OutboxRecord]:
    """The oldest unpublished rows past position ``after_seq``, in commit order."""
    async with db.engine.connect() as conn:
        return await OutboxLink(db, await _driver(conn), None).unpublished(limit, after_seq=after_seq)


async def after(db: Database, position: int, limit: int) -> list[OutboxRecord]:
    """Rows after ``position``, in commit order (published or not)."""
    async with db.engine.connect() as conn:
        return await OutboxLink(db, await _driver(conn), None).after(position, limit)


async def _driver(conn: AsyncConnection) -> Any:
    return (await conn.get_raw_connection()).driver_connection


async def _with_messages(db: Database, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """``rows`` with the messages they lack composed from their columns."""
    rows = list(rows)
    missing = [row[0] for row in rows if row[5] is None]
    stmt = select(
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
        cast(_o.payload, Text),
    ).where(_o.id.in_(missing))
    async with db.engine.connect() as conn:
        composed = {row[0]: _message(*row[1:]) for row in await conn.execute(stmt)}
    return [(*row[:5], composed[row[0]]) if row[5] is None else row for row in rows]


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
    stmt = insert_for(db.dialect)(t.subscriber_cursors).values(
        subscriber=subscriber, position=position, updated_at=utcnow()
    )
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
