"""The event envelope: how a domain event travels from the outbox to consumers.

``aggregate_id`` is the Kafka key, so one aggregate's events stay in order on one
partition. ``correlation_id`` ties together everything one request or message caused;
``causation_id`` is the event that caused this one (set by consumers).
"""

from __future__ import annotations

import os
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from hub.core.events import DomainEvent

__all__ = ["Envelope", "causation_id", "correlation_id", "envelope_for", "new_event_id"]

#: Set by the API per request (``X-Request-ID``) and by consumers per message.
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
#: Set by consumers to the ``event_id`` they are handling.
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: str
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    tenant: str
    occurred_at: datetime
    correlation_id: str | None = None
    causation_id: str | None = None
    payload: dict[str, Any]


def envelope_for(event: DomainEvent, *, tenant: str, occurred_at: datetime | None = None) -> Envelope:
    return Envelope(
        event_id=new_event_id(),
        type=event.type,
        version=event.version,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id(),
        tenant=tenant,
        occurred_at=occurred_at or datetime.now(UTC),
        correlation_id=correlation_id.get(),
        causation_id=causation_id.get(),
        payload=event.model_dump(mode="json"),
    )


def new_event_id() -> str:
    """A UUIDv7 (RFC 9562): the millisecond it was made, then 74 random bits.

    Ids made one after another sort together, so the unique indexes on ``event_id``
    (outbox, inbox) take new entries at their right edge rather than on a random page
    each: cheaper to write, and on PostgreSQL cheaper for the relay to mark a row
    published, which writes a new index entry for every row.
    """
    millisecond = time.time_ns() // 1_000_000
    random = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 of them used
    value = (
        (millisecond & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76  # version
        | ((random >> 62) & 0xFFF) << 64
        | 0b10 << 62  # variant
        | (random & 0x3FFF_FFFF_FFFF_FFFF)
    )
    return str(uuid.UUID(int=value))
