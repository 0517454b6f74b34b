"""Running a reconciliation and recording its report.

Each connector entity supplies a :class:`Reconciler` (what should be, what is, how to
write the difference); the engine runs plan → apply, keeps the report in ``sync_runs``
and never writes on a dry run. Because a reconciler compares the desired state with
what it reads back, a second run with nothing changed plans no writes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from hub.db import tables as t
from hub.db.engine import Database
from hub.db.types import utcnow
from hub.sync.plan import ApplyResult, Plan, Progress, Reconciler, quiet

__all__ = ["Progress", "Reconciler", "RunReport", "recent_runs", "run_reconciliation"]

log = logging.getLogger("hub.sync")


@dataclass
class RunReport:
    id: int
    connector_id: str
    entity: str
    trigger: str
    dry_run: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    writes: int
    errors: list[dict[str, str]]
    plan: Plan | None = None

    def as_dict(self) -> dict[str, Any]:
        """The report without its plan (which callers show, or not, on their own)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "plan"}


async def run_reconciliation(
    db: Database,
    connector_id: str,
    reconciler: Reconciler,
    *,
    dry_run: bool = False,
    trigger: str = "manual",
    progress: Progress = quiet,
) -> RunReport:
    started = utcnow()
    async with db.writing() as conn:
        run_id = (
            await conn.execute(
                insert(t.sync_runs)
                .values(
                    connector_id=connector_id,
                    entity=reconciler.entity,
                    trigger=trigger,
                    dry_run=dry_run,
                    status="running",
                    started_at=started,
                    counts={},
                    writes=0,
                    errors=[],
                )
                .returning(t.sync_runs.c.id)
            )
        ).scalar_one()
    plan: Plan | None = None
    result = ApplyResult()
    status = "succeeded"
    try:
        plan = await reconciler.plan(progress)
        if not dry_run and plan.writes:
            result = await reconciler.apply(plan.writes, progress)
        if result.errors:
            status = "partial" if result.writes else "failed"
    except Exception as error:  # the report records any failure; the caller sees the status
        log.exception("reconciliation of %s %s failed", connector_id, reconciler.entity)
        status = "failed"
        result.errors.append({"key": "", "error": f"{type(error).__name__}: {error}"})
    finished = utcnow()
    counts = plan.counts if plan else {}
    async with db.writing() as conn:
        await conn.execute(
            update(t.sync_runs)
            .where(t.sync_runs.c.id == run_id)
            .values(
                status=status, finished_at=finished, counts=counts, writes=result.writes, errors=result.errors[:100]
            )
        )
    return RunReport(
        id=run_id,
        connector_id=connector_id,
        entity=reconciler.entity,
        trigger=trigger,
        dry_run=dry_run,
        status=status,
        started_at=started,
        finished_at=finished,
        counts=counts,
        writes=result.writes,
        errors=result.errors,
        plan=plan,
    )


async def recent_runs(
    db: Database, connector_id: str, *, limit: int = 20, entity: str | None = None
) -> list[RunReport]:
    c = t.sync_runs.c
    stmt = select(t.sync_runs).where(c.connector_id == connector_id).order_by(c.id.desc()).limit(limit)
    if entity is not None:
        stmt = stmt.where(c.entity == entity)
    async with db.engine.connect() as conn:
        rows = list(await conn.execute(stmt))
    return [
        RunReport(
            id=row.id,
            connector_id=row.connector_id,
            entity=row.entity,
            trigger=row.trigger,
            dry_run=row.dry_run,
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            counts=dict(row.counts or {}),
            writes=row.writes,
            errors=list(row.errors or []),
        )
        for row in rows
    ]
