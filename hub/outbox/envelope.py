"""The event envelope: how a domain event travels from the outbox to consumers.

``aggregate_id`` is the Kafka key, so one aggregate's events stay in order on one
partition. ``correlation_id`` ties together everything one request or message caused;
``causation_id`` is the event that caused this one (set by consumers).
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from hub.core.events import DomainEvent

__all__ = ["Envelope", "causation_id", "correlation_id", "envelope_for"]

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
        event_id=str(uuid.uuid4()),
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
