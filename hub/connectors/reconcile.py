"""Reconciling a connector instance: the one use case the API, the CLI and the runtime share.

Entities run in the connector's own order (the order of ``reconcilers()``: Shopify
reconciles orders before stock, so the sales are counted before stock is pushed), each
with its own run report; the caller gets one report per entity and words them as it
likes. :func:`combined` is the summary of several runs the API answers at top level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hub.connectors.sdk.base import Connector
from hub.connectors.service import ConnectorService
from hub.core.errors import InvalidInput
from hub.db.engine import Database
from hub.sync.engine import RunReport, run_reconciliation
from hub.sync.plan import Progress, quiet

__all__ = ["combined", "reconcile", "run_reconcilers"]


async def run_reconcilers(
    db: Database,
    connector: Connector[Any, Any],
    entity: str | None = None,
    *,
    dry_run: bool = False,
    trigger: str = "manual",
    progress_for: Callable[[str], Progress] | None = None,
) -> list[RunReport]:
    """Run ``entity``'s reconciliation, or every entity's, on a live connector."""
    reconcilers = connector.reconcilers()
    if entity is not None and entity not in reconcilers:
        known = ", ".join(reconcilers) or "nothing"
        raise InvalidInput(f"{connector.id} reconciles {known}, not {entity!r}", field="entity")
    chosen = [entity] if entity is not None else list(reconcilers)
    return [
        await run_reconciliation(
            db,
            connector.id,
            reconcilers[name],
            dry_run=dry_run,
            trigger=trigger,
            progress=progress_for(name) if progress_for is not None else quiet,
        )
        for name in chosen
    ]


async def reconcile(
    service: ConnectorService,
    connector_id: str,
    entity: str | None = None,
    *,
    dry_run: bool = False,
    trigger: str = "manual",
    progress_for: Callable[[str], Progress] | None = None,
) -> list[RunReport]:
    """Reconcile an instance now (NotFound if it does not exist); one report per entity."""
    row = await service.instance(connector_id)
    async with service.live(row) as connector:
        return await run_reconcilers(
            service.db, connector, entity, dry_run=dry_run, trigger=trigger, progress_for=progress_for
        )


#: Worst first: the combined status of several runs is the worst of theirs.
_STATUSES = ("failed", "partial", "running", "succeeded")


def combined(reports: Sequence[RunReport]) -> dict[str, Any]:
    """Several runs as one report: counts, writes and errors added up, the worst status,
    entities joined by commas, from the first start to the last finish."""
    if not reports:
        raise ValueError("no runs to combine")
    counts: dict[str, int] = {}
    for report in reports:
        for action, count in report.counts.items():
            counts[action] = counts.get(action, 0) + count
    last = reports[-1]
    return {
        **last.as_dict(),
        "entity": ",".join(report.entity for report in reports),
        "status": min((report.status for report in reports), key=_rank),
        "started_at": reports[0].started_at,
        "counts": counts,
        "writes": sum(report.writes for report in reports),
        "errors": [error for report in reports for error in report.errors],
    }


def _rank(status: str) -> int:
    return _STATUSES.index(status) if status in _STATUSES else 0
