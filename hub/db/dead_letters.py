"""Filing a dead letter: the one writer for events a subscriber failed and for a
connector's queued work past its attempts (``kind`` tells them apart, never a name)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.db import tables as t
from hub.db.types import utcnow

__all__ = ["EVENT", "WORK", "file_dead_letter"]

EVENT: Literal["event"] = "event"
WORK: Literal["work"] = "work"


async def file_dead_letter(
    conn: AsyncConnection,
    *,
    kind: Literal["event", "work"],
    subscriber: str,
    source: str,
    message: str,
    error: str,
    attempts: int,
    connector_id: str | None = None,
    event_id: str | None = None,
    type: str | None = None,
    aggregate_type: str | None = None,
    aggregate_id: str | None = None,
) -> int:
    """Insert a pending dead letter; answers its id."""
    now = utcnow()
    result = await conn.execute(
        insert(t.dead_letters)
        .values(
            kind=kind,
            subscriber=subscriber,
            connector_id=connector_id,
            event_id=event_id,
            type=type,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            source=source[:200],
            # PostgreSQL text cannot hold NUL; a message with one is no JSON anyway.
            message=message.replace("\x00", "\ufffd"),
            error=error[:4000],
            attempts=attempts,
            status="pending",
            created_at=now,
            updated_at=now,
        )
        .returning(t.dead_letters.c.id)
    )
    letter_id: int = result.scalar_one()
    return letter_id
