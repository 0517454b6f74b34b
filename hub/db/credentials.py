"""The credentials port (:mod:`hub.connectors.sdk.credentials`) on SQLAlchemy.

Serialising one instance's refreshes across processes: on PostgreSQL a transaction-
scoped advisory lock keyed by the instance, so a second refresher waits for the first
to commit and then reads the token it stored instead of spending the refresh token the
first one already spent. On SQLite a write unit of work holds the database's write lock
(``BEGIN IMMEDIATE``) from its first statement to its end, which already excludes every
other writer, in any process: ``lock`` only makes sure that statement has run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hub.connectors.sdk.secrets import SecretBox
from hub.db import tables as t
from hub.db.types import utcnow

__all__ = ["SqlCredentials", "credentials_lock_key", "reseal"]

_c = t.connector_credentials.c


def credentials_lock_key(connector_id: str) -> int:
    """A signed 64-bit advisory lock key for one instance's credentials."""
    digest = hashlib.sha256(f"hub.credentials:{connector_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SqlCredentials:
    def __init__(self, session: AsyncSession, box: Callable[[], SecretBox] | None, *, write: bool) -> None:
        self.session, self._box, self._write = session, box, write

    def box(self) -> SecretBox:
        if self._box is None:
            raise RuntimeError("this unit of work was made without a secret box: it cannot store credentials")
        return self._box()

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    async def lock(self, connector_id: str) -> None:
        if not self._write:
            raise RuntimeError("credentials are locked in a write unit of work (uows(), not uows.reader())")
        if self._postgres:
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": credentials_lock_key(connector_id)}
            )
        else:
            await self.session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock, until the end

    async def get(self, connector_id: str) -> dict[str, Any] | None:
        sealed = await self.session.scalar(select(_c.secrets).where(_c.connector_id == connector_id))
        return None if sealed is None else self.box().open(sealed)

    async def put(self, connector_id: str, secrets: Mapping[str, Any]) -> None:
        await self._upsert(connector_id, secrets=self.box().seal(dict(secrets)))

    async def needs_reauth(self, connector_id: str, reason: str) -> None:
        await self._upsert(connector_id, problem=reason[:2000])
        await self.session.execute(
            update(t.connector_instances)
            .where(t.connector_instances.c.id == connector_id)
            .values(status="needs_reauth")
        )

    async def replace(self, connector_id: str, secrets: Mapping[str, Any] | None) -> None:
        """New credentials given: what was stored goes, and so does the refusal (not a port
        method: only the hub's connector service gives credentials)."""
        await self.session.execute(delete(t.connector_credentials).where(_c.connector_id == connector_id))
        if secrets is not None:
            await self.put(connector_id, secrets)

    async def problem(self, connector_id: str) -> str | None:
        """Why the vendor refused the grant, while the instance needs new credentials."""
        found: str | None = await self.session.scalar(select(_c.problem).where(_c.connector_id == connector_id))
        return found

    async def _upsert(self, connector_id: str, **values: str) -> None:
        dialect_insert = postgresql.insert if self._postgres else sqlite.insert
        stmt = dialect_insert(t.connector_credentials).values(connector_id=connector_id, updated_at=utcnow(), **values)
        stmt = stmt.on_conflict_do_update(index_elements=["connector_id"], set_={**values, "updated_at": utcnow()})
        await self.session.execute(stmt)


async def reseal(session: AsyncSession, box: SecretBox) -> tuple[int, int]:
    """Re-encrypt every stored connector config and token set still sealed with an old key,
    with the current one; answers (re-encrypted, stored in all). Instances keep their
    ``updated_at``: their workers go on as they were."""
    resealed = total = 0
    i = t.connector_instances.c
    for id, sealed in (await session.execute(select(i.id, i.config).order_by(i.id))).all():
        total += 1
        if not box.is_current(sealed):
            await session.execute(
                update(t.connector_instances)
                .where(i.id == id)
                .values(config=box.reseal(sealed), updated_at=i.updated_at)
            )
            resealed += 1
    rows = await session.execute(select(_c.connector_id, _c.secrets).where(_c.secrets.is_not(None)))
    for id, sealed in rows.all():
        total += 1
        if not box.is_current(sealed):
            await session.execute(
                update(t.connector_credentials).where(_c.connector_id == id).values(secrets=box.reseal(sealed))
            )
            resealed += 1
    return resealed, total
