"""Subscribers: declared once, run on either transport.

A subscriber is a name (its consumer group, cursor and inbox scope), the event types
it acts on, and an async handler ``handler(delivered, uow)``. The handler makes its
local changes in ``uow``; the runtime commits them together with the inbox row that
marks the event applied, so a redelivered event changes nothing.

Handlers are level-triggered: the event says *that* something changed; the handler
reads the current state to decide what to do, so duplicates, late and out-of-order
events are harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from hub.core.events import EVENT_TYPES, DomainEvent
from hub.db.uow import SqlUnitOfWork
from hub.outbox.envelope import Envelope

__all__ = ["DLQ_TOPIC", "Delivered", "Handler", "Subscriber", "topic_of"]

DLQ_TOPIC = "hub.dlq.v1"


def topic_of(aggregate_type: str) -> str:
    return f"hub.{aggregate_type}.v1"


@dataclass(frozen=True)
class Delivered:
    """An event as a subscriber receives it: the envelope and its typed payload."""

    envelope: Envelope
    event: DomainEvent


Handler = Callable[[Delivered, SqlUnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Subscriber:
    name: str
    handler: Handler
    #: Event types acted on; empty means every type.
    types: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = self.types - EVENT_TYPES.keys()
        if unknown:
            raise ValueError(f"subscriber {self.name}: unknown event types {sorted(unknown)}")

    @classmethod
    def of(cls, name: str, handler: Handler, types: Iterable[str] = ()) -> Subscriber:
        return cls(name=name, handler=handler, types=frozenset(types))

    def wants(self, event_type: str) -> bool:
        return not self.types or event_type in self.types

    @property
    def aggregates(self) -> frozenset[str]:
        classes = [EVENT_TYPES[t] for t in self.types] if self.types else list(EVENT_TYPES.values())
        return frozenset(cls.aggregate_type for cls in classes)

    @property
    def topics(self) -> list[str]:
        return sorted(topic_of(aggregate) for aggregate in self.aggregates)
