"""What a connector remembers about the outside world, as ports the database implements.

- :class:`Binding` — canonical record ↔ external record, with the hash of what the hub
  last wrote and the external version last seen. Unique on both sides (by constraint,
  not by look-up), so concurrent deliveries of one external order bind one hub order.
- cursors — how far each stream has read; they only move forwards.
- holds — external records the connector could not take in, with the reason.
- webhook receipts — ids of webhook deliveries already taken in.
- work requests — keys of work the instance owes the vendor (``hub.db.work_queue``).

All of them live in the unit of work, so they commit with the changes they describe.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

__all__ = [
    "Binding",
    "BindingRepository",
    "CursorRepository",
    "Hold",
    "HoldRepository",
    "WebhookReceipts",
    "WorkRequests",
    "state_hash",
]


def state_hash(value: Any) -> str:
    """A stable hash of a desired external state (what a writer compares before writing)."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Binding:
    connector_id: str
    entity: str
    canonical_id: str
    external_id: str
    last_hash: str | None = None
    last_version: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    id: int | None = None


class BindingRepository(Protocol):
    async def by_canonical(self, connector_id: str, entity: str, canonical_id: str) -> Binding | None: ...

    async def by_external(self, connector_id: str, entity: str, external_id: str) -> Binding | None: ...

    async def all(self, connector_id: str, entity: str) -> list[Binding]: ...

    async def many(self, connector_id: str, entity: str, canonical_ids: Iterable[str]) -> dict[str, Binding]:
        """The bound ones of ``canonical_ids``, by canonical id."""
        ...

    async def last_hashes(self, connector_id: str, entity: str, canonical_ids: Iterable[str]) -> dict[str, str]:
        """The hash last written of the bound ones of ``canonical_ids`` (a writer's compare
        values, read without building whole bindings)."""
        ...

    async def remember(self, connector_id: str, entity: str, written: Mapping[str, tuple[str, str]]) -> None:
        """Bind each canonical id to ``(external id, hash of what was written)``, bound
        before or not — a writer's bookkeeping after a batch (one round trip in SQL)."""
        ...

    async def add(self, binding: Binding) -> None:
        """Insert; raises :class:`hub.core.errors.DuplicateRecord` if either side is bound."""
        ...

    async def save(self, binding: Binding) -> None:
        """Store a bound record's hash, version and data."""
        ...


class CursorRepository(Protocol):
    async def get(self, connector_id: str, stream: str) -> str | None: ...

    async def advance(self, connector_id: str, stream: str, value: str) -> str:
        """Move the cursor to ``value`` unless it is already further (values sort as
        strings: ISO timestamps, zero-padded ids); returns where it stands."""
        ...


@dataclass(frozen=True)
class Hold:
    connector_id: str
    entity: str
    external_id: str
    reason: str
    first_seen: datetime
    last_seen: datetime


class HoldRepository(Protocol):
    async def hold(self, connector_id: str, entity: str, external_id: str, reason: str) -> None: ...

    async def release(self, connector_id: str, entity: str, external_id: str) -> None: ...

    async def active(self, connector_id: str) -> list[Hold]: ...


class WebhookReceipts(Protocol):
    async def first_time(self, connector_id: str, webhook_id: str, topic: str) -> bool:
        """Record a delivery; False if this id was taken in before."""
        ...


class WorkRequests(Protocol):
    async def enqueue(self, connector_id: str, kind: str, keys: Iterable[str]) -> None:
        """Ask for work within this unit of work (idempotent per key: a key already
        queued runs once more, never twice at once)."""
        ...
