"""API keys, stored as SHA-256 hashes: the key itself is shown once, at creation.

Keys are 256 random bits, so a fast hash is enough — there is nothing to brute-force
that a slow hash would protect — and lookup is a single indexed equality.

Authenticated keys are cached by hash (never the key itself), so a request with a
known key costs no database round trip. The cache is trusted only while the
:mod:`~hub.db.key_watch` epoch stands still: a revocation by any process empties it
before the next request is answered.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import make_url

from hub.db import tables as t
from hub.db.engine import Database
from hub.db.key_watch import KEYS_CHANNEL, NoWatch, PgKeyWatch, RevocationWatch, SqliteKeyWatch
from hub.db.types import utcnow

__all__ = ["ApiKey", "ApiKeyStore", "hash_key", "watch_for"]

_PREFIX = "jxc_"
#: More live keys than this in use at once and the cache starts over (it holds only keys that authenticated).
_CACHE_SIZE = 10_000


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


def watch_for(db: Database) -> RevocationWatch:
    """How this database tells a process that a key may have been revoked."""
    url = make_url(db.url)
    if db.is_sqlite:
        path = url.database
        return NoWatch() if not path or path == ":memory:" or path.startswith("file:") else SqliteKeyWatch(path)
    return PgKeyWatch(url.set(drivername="postgresql").render_as_string(hide_password=False))


class ApiKeyStore:
    def __init__(self, db: Database, watch: RevocationWatch | None = None) -> None:
        self.db = db
        self._watch = watch if watch is not None else watch_for(db)
        self._cache: dict[str, ApiKey] = {}
        self._epoch: Hashable | None = None

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
        digest = hash_key(secret)
        epoch = self._watch.epoch()
        if epoch is not None:
            if epoch != self._epoch:
                self._cache.clear()
                self._epoch = epoch
            cached = self._cache.get(digest)
            if cached is not None:
                return cached
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.api_keys).where(t.api_keys.c.key_hash == digest, t.api_keys.c.revoked_at.is_(None))
                )
            ).one_or_none()
        if row is None:
            return None
        key = _key(row)
        # Cache only if no revocation can have slipped in between the epoch read and the
        # lookup: a key revoked meanwhile was read live, and must not outlive this request.
        if epoch is not None and self._watch.epoch() == epoch == self._epoch:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[digest] = key
        return key

    async def list(self) -> list[ApiKey]:
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(select(t.api_keys).order_by(t.api_keys.c.id))
            return [_key(row) for row in rows]

    async def revoke(self, key_id: int) -> bool:
        """Revoke a live key; every process serving the database refuses it from now on."""
        async with self.db.writing() as conn:
            result = await conn.execute(
                update(t.api_keys)
                .where(t.api_keys.c.id == key_id, t.api_keys.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            if result.rowcount and not self.db.is_sqlite:
                # Delivered at commit to every process's key watch (SQLite needs nothing:
                # the commit itself moves every other connection's data_version).
                notify = text("SELECT pg_notify(:channel, :id)")
                await conn.execute(notify, {"channel": KEYS_CHANNEL, "id": str(key_id)})
        revoked = result.rowcount > 0
        if revoked:
            self._cache = {digest: key for digest, key in self._cache.items() if key.id != key_id}
        return revoked

    async def close(self) -> None:
        await self._watch.close()
