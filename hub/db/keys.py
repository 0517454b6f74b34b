"""API keys, stored as SHA-256 hashes: the key itself is shown once, at creation.

Keys are 256 random bits, so a fast hash is enough — there is nothing to brute-force
that a slow hash would protect — and lookup is a single indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from hub.db import tables as t
from hub.db.engine import Database
from hub.db.types import utcnow

__all__ = ["ApiKey", "ApiKeyStore", "hash_key"]

_PREFIX = "jxc_"


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str | None
    prefix: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key(row: object) -> ApiKey:
    return ApiKey(
        id=row.id,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        prefix=row.prefix,  # type: ignore[attr-defined]
        scopes=frozenset(row.scopes.split()),  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
        revoked_at=row.revoked_at,  # type: ignore[attr-defined]
    )


class ApiKeyStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, scopes: set[str], name: str | None = None) -> tuple[ApiKey, str]:
        """Make a key; returns its record and the key itself (not stored anywhere)."""
        secret = _PREFIX + secrets.token_urlsafe(32)
        async with self.db.writing() as conn:
            result = await conn.execute(
                insert(t.api_keys)
                .values(
                    name=name,
                    prefix=secret[: len(_PREFIX) + 6],
                    key_hash=hash_key(secret),
                    scopes=" ".join(sorted(scopes)),
                    created_at=utcnow(),
                )
                .returning(*t.api_keys.c)
            )
            return _key(result.one()), secret

    async def authenticate(self, secret: str) -> ApiKey | None:
        """The live key this secret belongs to, or None."""
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.api_keys).where(
                        t.api_keys.c.key_hash == hash_key(secret), t.api_keys.c.revoked_at.is_(None)
                    )
                )
            ).one_or_none()
        return None if row is None else _key(row)

    async def list(self) -> list[ApiKey]:
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(select(t.api_keys).order_by(t.api_keys.c.id))
            return [_key(row) for row in rows]

    async def revoke(self, key_id: int) -> bool:
        async with self.db.writing() as conn:
            result = await conn.execute(
                update(t.api_keys)
                .where(t.api_keys.c.id == key_id, t.api_keys.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            return result.rowcount > 0
