"""The hub a conformance test runs on, the fake vendor, and the instance under test."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hub.bootstrap import Hub
from hub.connectors.sdk.base import Connector
from hub.connectors.sdk.testing.faults import FaultyTransport
from hub.connectors.service import ConnectorSpec
from hub.db import tables as t
from hub.db.uow import UnitOfWorkFactory
from hub.sync.engine import RunReport, run_reconciliation
from hub.sync.plan import quiet

__all__ = ["Harness", "quiet", "succeeded"]


@dataclass
class Harness:
    """A hub on a fresh database, the fake vendor, and the instance under test."""

    hub: Hub
    vendor: Any
    faults: FaultyTransport
    type: type[Connector[Any, Any]]
    id: str
    config: dict[str, Any]
    mappings: dict[str, Any]

    @property
    def uows(self) -> UnitOfWorkFactory:
        return self.hub.uow

    async def add(self, config: Mapping[str, Any] | None = None) -> None:
        """Add the instance as ``POST /v1/connectors`` does (validated, checked, stored)."""
        spec = ConnectorSpec(self.id, self.type.type_name, config or self.config, self.mappings)
        await self.hub.connectors.add(spec)

    def build(self, config: Mapping[str, Any] | None = None) -> Connector[Any, Any]:
        """A connector object that was not added (close it: ``await connector.aclose()``)."""
        return self.type.from_stored(self.id, config or self.config, self.mappings, self.hub.connectors.env)

    @contextlib.asynccontextmanager
    async def live(self) -> AsyncIterator[Connector[Any, Any]]:
        """The added instance, built from what was stored, as its worker builds it."""
        connector = await self.hub.connectors.load(self.id)
        try:
            yield connector
        finally:
            await connector.aclose()

    async def reconcile(self, *, dry_run: bool = False) -> dict[str, RunReport]:
        """Every reconciliation of the instance once, as a worker does at start
        (``dry_run``: plan only — read both sides, write nothing)."""
        async with self.live() as connector:
            return {
                entity: await run_reconciliation(
                    self.hub.db, self.id, reconciler, trigger="conformance", dry_run=dry_run
                )
                for entity, reconciler in connector.reconcilers().items()
            }

    async def cursors(self) -> dict[str, str]:
        c = t.connector_cursors.c
        async with self.hub.db.engine.connect() as conn:
            rows = await conn.execute(select(c.stream, c.value).where(c.connector_id == self.id))
            return {stream: value for stream, value in rows}


def succeeded(reports: Mapping[str, RunReport]) -> None:
    failed = {entity: report.errors[:3] for entity, report in reports.items() if report.status != "succeeded"}
    assert not failed, f"reconciliations did not succeed: {failed}"
