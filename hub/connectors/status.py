"""What an operator sees of a connector instance: config (secrets masked), mappings,
last sync per entity, cursors, recent errors, orders on hold, work waiting.

``status`` is ``active``, or ``needs_reauth`` once the vendor refused the instance's
grant: the first recent error then says why (``source: credentials``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.connectors.registry import connector_type
from hub.connectors.service import ConnectorService, masked
from hub.db import tables as t
from hub.db.connectors import InstanceRow, SqlHolds
from hub.db.credentials import SqlCredentials
from hub.db.work_queue import DEAD_LETTER_PREFIX, WorkQueue
from hub.sync.engine import recent_runs

__all__ = ["describe", "status"]


def describe(service: ConnectorService, row: InstanceRow) -> dict[str, Any]:
    """The instance as stored, safe to show."""
    cls = connector_type(row.type)
    config = service.config_of(row)
    return {
        "id": row.id,
        "type": row.type,
        "status": row.status,
        "capabilities": sorted(cls.capabilities) if cls else [],
        "config": masked(config) if config is not None else {},
        "mappings": row.mappings,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


async def status(service: ConnectorService, queue: WorkQueue, row: InstanceRow) -> dict[str, Any]:
    db = service.db
    runs = await recent_runs(db, row.id, limit=50)
    async with service.uows.reader() as uow:
        r = t.sync_runs.c
        entities = list(await uow.session.scalars(select(r.entity).where(r.connector_id == row.id).distinct()))
    # Per entity, not among the latest runs: a frequent poll would push an hourly one out.
    last_sync: dict[str, Any] = {}
    for entity in sorted(entities):
        latest = await recent_runs(db, row.id, limit=1, entity=entity)
        last_sync[entity] = latest[0].as_dict()
    async with service.uows.reader() as uow:
        refused = await SqlCredentials(uow.session, None, write=False).problem(row.id)
        holds = await SqlHolds(uow.session).active(row.id)
        c = t.connector_cursors.c
        cursors = {
            stream: value
            for stream, value in await uow.session.execute(
                select(c.stream, c.value).where(c.connector_id == row.id).order_by(c.stream)
            )
        }
        d = t.dead_letters.c
        letters = list(
            await uow.session.execute(
                select(d.id, d.type, d.aggregate_id, d.error, d.attempts, d.updated_at)
                .where(d.subscriber == f"{DEAD_LETTER_PREFIX}{row.id}", d.status == "pending")
                .order_by(d.id.desc())
                .limit(20)
            )
        )
    errors: list[dict[str, Any]] = []
    if row.status == "needs_reauth":
        errors.append({"source": "credentials", "kind": "needs_reauth", "key": "", "error": refused or ""})
    errors += [
        {"source": "queue", "kind": e["kind"], "key": e["key"], "attempts": e["attempts"], "error": e["last_error"]}
        for e in await queue.errors(row.id)
    ]
    errors += [
        {
            "source": "dead_letter",
            "id": x.id,
            "kind": x.type,
            "key": x.aggregate_id,
            "attempts": x.attempts,
            "error": x.error,
        }
        for x in letters
    ]
    errors += [
        {"source": f"run {run.id}", "kind": run.entity, "key": e.get("key", ""), "error": e.get("error", "")}
        for run in runs[:10]
        for e in run.errors
    ]
    return {
        **describe(service, row),
        "last_sync": last_sync,
        "cursors": cursors,
        "recent_errors": errors[:50],
        "orders_on_hold": [
            {"external_id": h.external_id, "reason": h.reason, "first_seen": h.first_seen, "last_seen": h.last_seen}
            for h in holds
            if h.entity == "order"
        ],
        "queue": await queue.depth(row.id),
    }
