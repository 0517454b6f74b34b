"""What the hub stores about one connector instance, read in one go for its status page
(``hub.connectors.status`` words it; nothing outside ``hub.db`` builds these queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hub.connectors.sdk.state import Hold
from hub.db import tables as t
from hub.db.connectors import SqlHolds
from hub.db.credentials import SqlCredentials
from hub.db.dead_letters import WORK
from hub.db.uow import UnitOfWorkFactory

__all__ = ["DeadLetterSeen", "StatusSnapshot", "status_snapshot"]


@dataclass(frozen=True)
class DeadLetterSeen:
    id: int
    type: str
    aggregate_id: str
    error: str
    attempts: int
    updated_at: datetime


@dataclass(frozen=True)
class StatusSnapshot:
    #: Entities the instance has reconciliation runs of.
    entities: list[str]
    #: Why the vendor refused the instance's grant (when it did).
    refused: str | None
    holds: list[Hold]
    cursors: dict[str, str]
    #: The instance's pending dead letters, newest first.
    dead_letters: list[DeadLetterSeen]


async def status_snapshot(uows: UnitOfWorkFactory, connector_id: str, *, letters: int = 20) -> StatusSnapshot:
    async with uows.reader() as uow:
        s = uow.session
        r = t.sync_runs.c
        entities = sorted(await s.scalars(select(r.entity).where(r.connector_id == connector_id).distinct()))
        refused = await SqlCredentials(s, None, write=False).problem(connector_id)
        holds = await SqlHolds(s).active(connector_id)
        c = t.connector_cursors.c
        cursors = {
            stream: value
            for stream, value in await s.execute(
                select(c.stream, c.value).where(c.connector_id == connector_id).order_by(c.stream)
            )
        }
        d = t.dead_letters.c
        found = await s.execute(
            select(d.id, d.type, d.aggregate_id, d.error, d.attempts, d.updated_at)
            .where(d.kind == WORK, d.connector_id == connector_id, d.status == "pending")
            .order_by(d.id.desc())
            .limit(letters)
        )
        dead = [DeadLetterSeen(*row) for row in found]
    return StatusSnapshot(entities, refused, holds, cursors, dead)
