"""SQLAlchemy implementations of the connector state ports (hub.connectors.sdk.state)
and the store of connector instances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hub.connectors.sdk.state import Binding, Hold
from hub.core.errors import DuplicateRecord
from hub.db import tables as t
from hub.db.engine import Database
from hub.db.types import utcnow
from hub.db.upsert import upsert_insert
from hub.db.work_queue import enqueue

__all__ = [
    "InstanceRow",
    "SqlBindings",
    "SqlConnectorInstances",
    "SqlCursors",
    "SqlHolds",
    "SqlWebhookReceipts",
    "SqlWorkRequests",
    "instance_statuses",
]

_b = t.bindings.c


def _insert(session: AsyncSession) -> Any:
    return lambda table: upsert_insert(session, table)


def _binding(row: Any) -> Binding:
    return Binding(
        connector_id=row.connector_id,
        entity=row.entity,
        canonical_id=row.canonical_id,
        external_id=row.external_id,
        last_hash=row.last_hash,
        last_version=row.last_version,
        data=dict(row.data or {}),
        updated_at=row.updated_at,
        id=row.id,
    )


class SqlBindings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, connector_id: str, entity: str, **key: str) -> Binding | None:
        stmt = select(t.bindings).where(_b.connector_id == connector_id, _b.entity == entity)
        for name, value in key.items():
            stmt = stmt.where(_b[name] == value)
        row = (await self.session.execute(stmt)).one_or_none()
        return None if row is None else _binding(row)

    async def by_canonical(self, connector_id: str, entity: str, canonical_id: str) -> Binding | None:
        return await self._one(connector_id, entity, canonical_id=canonical_id)

    async def by_external(self, connector_id: str, entity: str, external_id: str) -> Binding | None:
        return await self._one(connector_id, entity, external_id=external_id)

    async def all(self, connector_id: str, entity: str) -> list[Binding]:
        stmt = select(t.bindings).where(_b.connector_id == connector_id, _b.entity == entity).order_by(_b.id)
        return [_binding(row) for row in await self.session.execute(stmt)]

    async def many(self, connector_id: str, entity: str, canonical_ids: Iterable[str]) -> dict[str, Binding]:
        """The bound ones of ``canonical_ids``, by canonical id (one query per 500 ids)."""
        wanted = sorted(set(canonical_ids))
        found: dict[str, Binding] = {}
        for start in range(0, len(wanted), 500):
            stmt = select(t.bindings).where(
                _b.connector_id == connector_id, _b.entity == entity, _b.canonical_id.in_(wanted[start : start + 500])
            )
            found.update((row.canonical_id, _binding(row)) for row in await self.session.execute(stmt))
        return found

    async def last_hashes(self, connector_id: str, entity: str, canonical_ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(canonical_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            stmt = select(_b.canonical_id, _b.last_hash).where(
                _b.connector_id == connector_id,
                _b.entity == entity,
                _b.canonical_id.in_(wanted[start : start + 500]),
                _b.last_hash.is_not(None),
            )
            found.update((canonical, last_hash) for canonical, last_hash in await self.session.execute(stmt))
        return found

    async def remember(self, connector_id: str, entity: str, written: Mapping[str, tuple[str, str]]) -> None:
        """Bind each canonical id to (external id, hash of what was written), new or not, in
        one statement — a writer's bookkeeping after a batch costs one execution."""
        if not written:
            return
        now = utcnow()
        rows = [
            dict(
                connector_id=connector_id,
                entity=entity,
                canonical_id=canonical,
                external_id=external,
                last_hash=last_hash,
                data={},
                updated_at=now,
            )
            for canonical, (external, last_hash) in written.items()
        ]
        # One statement of fixed shape run over every row (executemany): compiled once and
        # cached, where a VALUES list as long as the batch would be compiled anew each time.
        stmt = _insert(self.session)(t.bindings)
        stmt = stmt.on_conflict_do_update(
            index_elements=["connector_id", "entity", "canonical_id"],
            set_={
                "external_id": stmt.excluded.external_id,
                "last_hash": stmt.excluded.last_hash,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        await self.session.execute(stmt, rows)

    async def add(self, binding: Binding) -> None:
        try:
            async with self.session.begin_nested():
                result = await self.session.execute(
                    insert(t.bindings)
                    .values(
                        connector_id=binding.connector_id,
                        entity=binding.entity,
                        canonical_id=binding.canonical_id,
                        external_id=binding.external_id,
                        last_hash=binding.last_hash,
                        last_version=binding.last_version,
                        data=binding.data,
                        updated_at=utcnow(),
                    )
                    .returning(_b.id)
                )
        except IntegrityError as error:
            raise DuplicateRecord(
                f"{binding.entity} {binding.external_id} of {binding.connector_id} is already bound"
            ) from error
        binding.id = result.scalar_one()

    async def save(self, binding: Binding) -> None:
        await self.session.execute(
            update(t.bindings)
            .where(
                _b.connector_id == binding.connector_id,
                _b.entity == binding.entity,
                _b.canonical_id == binding.canonical_id,
            )
            .values(
                external_id=binding.external_id,
                last_hash=binding.last_hash,
                last_version=binding.last_version,
                data=binding.data,
                updated_at=utcnow(),
            )
        )


class SqlCursors:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, connector_id: str, stream: str) -> str | None:
        c = t.connector_cursors.c
        stmt = select(c.value).where(c.connector_id == connector_id, c.stream == stream)
        return await self.session.scalar(stmt)

    async def advance(self, connector_id: str, stream: str, value: str) -> str:
        current = await self.get(connector_id, stream)
        if current is not None and current >= value:
            return current
        stmt = _insert(self.session)(t.connector_cursors).values(
            connector_id=connector_id, stream=stream, value=value, updated_at=utcnow()
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["connector_id", "stream"], set_={"value": value, "updated_at": utcnow()}
        )
        await self.session.execute(stmt)
        return value


class SqlHolds:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def hold(self, connector_id: str, entity: str, external_id: str, reason: str) -> None:
        now = utcnow()
        stmt = _insert(self.session)(t.connector_holds).values(
            connector_id=connector_id,
            entity=entity,
            external_id=external_id,
            reason=reason,
            first_seen=now,
            last_seen=now,
            resolved_at=None,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["connector_id", "entity", "external_id"],
            set_={"reason": reason, "last_seen": now, "resolved_at": None},
        )
        await self.session.execute(stmt)

    async def release(self, connector_id: str, entity: str, external_id: str) -> None:
        c = t.connector_holds.c
        await self.session.execute(
            update(t.connector_holds)
            .where(
                c.connector_id == connector_id,
                c.entity == entity,
                c.external_id == external_id,
                c.resolved_at.is_(None),
            )
            .values(resolved_at=utcnow())
        )

    async def active(self, connector_id: str) -> list[Hold]:
        c = t.connector_holds.c
        stmt = (
            select(c.connector_id, c.entity, c.external_id, c.reason, c.first_seen, c.last_seen)
            .where(c.connector_id == connector_id, c.resolved_at.is_(None))
            .order_by(c.first_seen)
        )
        return [Hold(*row) for row in await self.session.execute(stmt)]


class SqlWorkRequests:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, connector_id: str, kind: str, keys: Iterable[str]) -> None:
        await enqueue(self.session, connector_id, kind, keys)


class SqlWebhookReceipts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, connector_id: str, webhook_id: str, topic: str) -> bool:
        stmt = (
            _insert(self.session)(t.webhook_receipts)
            .values(connector_id=connector_id, webhook_id=webhook_id, topic=topic, received_at=utcnow())
            .on_conflict_do_nothing()
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# -- connector instances ------------------------------------------------------------------


class InstanceRow:
    """A stored connector instance; ``config`` is still encrypted."""

    def __init__(self, row: Any) -> None:
        self.id: str = row.id
        self.type: str = row.type
        self.config: str = row.config
        self.mappings: dict[str, Any] = dict(row.mappings or {})
        self.status: str = row.status
        self.created_at: datetime = row.created_at
        self.updated_at: datetime = row.updated_at


class SqlConnectorInstances:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, connector_id: str) -> InstanceRow | None:
        row = (
            await self.session.execute(select(t.connector_instances).where(t.connector_instances.c.id == connector_id))
        ).one_or_none()
        return None if row is None else InstanceRow(row)

    async def list(self) -> list[InstanceRow]:
        rows = await self.session.execute(select(t.connector_instances).order_by(t.connector_instances.c.id))
        return [InstanceRow(row) for row in rows]

    async def add(self, connector_id: str, type_: str, config: str, mappings: dict[str, Any]) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(t.connector_instances).values(
                        id=connector_id,
                        type=type_,
                        config=config,
                        mappings=mappings,
                        status="active",
                        created_at=utcnow(),
                        updated_at=utcnow(),
                    )
                )
        except IntegrityError as error:
            raise DuplicateRecord(f"connector {connector_id} already exists", field="id") from error

    async def update(
        self, connector_id: str, config: str, mappings: dict[str, Any], *, status: str | None = None
    ) -> bool:
        """Replace the sealed config and the mappings (and the status, if given); False if
        there is no such instance. ``updated_at`` moves: its worker restarts with them."""
        values: dict[str, Any] = {"config": config, "mappings": mappings, "updated_at": utcnow()}
        if status is not None:
            values["status"] = status
        result = await self.session.execute(
            update(t.connector_instances).where(t.connector_instances.c.id == connector_id).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, connector_id: str) -> bool:
        # Children go with it (ON DELETE CASCADE); delete them explicitly too, for
        # databases where foreign keys are not enforced.
        children = (t.bindings, t.connector_cursors, t.webhook_receipts, t.connector_holds, t.sync_runs)
        for table in (*children, t.connector_credentials):
            await self.session.execute(delete(table).where(table.c.connector_id == connector_id))
        result = await self.session.execute(
            delete(t.connector_instances).where(t.connector_instances.c.id == connector_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def instance_statuses(db: Database) -> dict[str, str]:
    """Every instance's status (``active``, ``needs_reauth``), by id: for ``/metrics``."""
    c = t.connector_instances.c
    async with db.engine.connect() as conn:
        return {id: status for id, status in await conn.execute(select(c.id, c.status).order_by(c.id))}
