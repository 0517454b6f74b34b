"""Stored responses of POSTs made with an ``Idempotency-Key``.

The response row is inserted in the same transaction as the change it describes, and
``(principal, key)`` is unique: of two concurrent requests with one key, exactly one
commits its effect; the other's transaction fails on the key and it replays the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db import tables as t
from hub.db.types import utcnow

__all__ = ["StoredResponse", "find_response", "lock_key", "store_response"]


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status_code: int
    body: str


async def find_response(session: AsyncSession, principal: int, key: str) -> StoredResponse | None:
    row = (
        await session.execute(
            select(
                t.idempotency_keys.c.request_hash, t.idempotency_keys.c.status_code, t.idempotency_keys.c.response
            ).where(t.idempotency_keys.c.principal == principal, t.idempotency_keys.c.key == key)
        )
    ).one_or_none()
    return None if row is None else StoredResponse(*row)


async def store_response(
    session: AsyncSession, principal: int, key: str, request_hash: str, status_code: int, body: str
) -> None:
    await session.execute(
        insert(t.idempotency_keys).values(
            principal=principal,
            key=key,
            request_hash=request_hash,
            status_code=status_code,
            response=body,
            created_at=utcnow(),
        )
    )


async def lock_key(session: AsyncSession, principal: int, key: str) -> None:
    """Serialise requests carrying the same key until this transaction ends.

    PostgreSQL only; SQLite already runs one writer at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"idempotency:{principal}:{key}"}
        )
