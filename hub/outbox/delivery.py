"""Handling one message for one subscriber: decode, dedupe, apply, retry, dead-letter.

    message ──decode──▶ poison? ──────────────────────────────▶ dead letter (at once)
               │
               ▼
    not wanted by the subscriber ─────────────────────────────▶ skipped
               │
               ▼
    unit of work: claim (subscriber, event_id) in the inbox
               ├─ already there ─────────────────────────────▶ duplicate (nothing done)
               └─ handler(delivered, uow); commit inbox + effects ─▶ applied
                   failure: retry with backoff; past the limit, or not retriable
                   (a DomainError, or ``retriable = False``) ──────▶ dead letter

Nothing here knows the transport; it hands back an :class:`Outcome`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential, wait_random

from hub.core.errors import DomainError
from hub.core.events import EVENT_TYPES, EVENT_VERSIONS
from hub.db import tables as t
from hub.db.dead_letters import EVENT, file_dead_letter
from hub.db.types import utcnow
from hub.db.uow import UnitOfWorkFactory
from hub.db.upsert import upsert_insert
from hub.outbox.envelope import Envelope, causation_id, correlation_id
from hub.outbox.subscribers import Delivered, Subscriber

__all__ = ["DeadLetter", "Delivery", "Message", "Outcome", "Poison", "decode"]

log = logging.getLogger("hub.consumer")


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    DEAD = "dead"


@dataclass(frozen=True)
class Message:
    """A delivery as received: raw bytes and where they came from."""

    value: bytes
    #: e.g. ``kafka:hub.stock.v1/2@1041`` or ``outbox:1041``.
    source: str


@dataclass(frozen=True)
class DeadLetter:
    id: int
    subscriber: str
    event_id: str | None
    type: str | None
    source: str
    error: str
    attempts: int


class Poison(Exception):
    """A message no retry can help: undecodable, or of an unknown type or version."""


def decode(value: bytes) -> Delivered:
    try:
        envelope = Envelope.model_validate(json.loads(value))
    except (ValueError, ValidationError) as error:
        raise Poison(f"not an event envelope: {_short(error)}") from error
    cls = EVENT_VERSIONS.get((envelope.type, envelope.version))
    if cls is None:
        if envelope.type not in EVENT_TYPES:
            raise Poison(f"unknown event type {envelope.type!r}")
        known = ", ".join(str(version) for type_, version in EVENT_VERSIONS if type_ == envelope.type)
        raise Poison(f"{envelope.type} version {envelope.version} is not known (this hub reads {known})")
    try:
        event = cls.model_validate(envelope.payload)
    except ValidationError as error:
        raise Poison(f"{envelope.type} payload does not match its schema: {_short(error)}") from error
    return Delivered(envelope, event)


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:300]


def _retriable(error: BaseException) -> bool:
    return not isinstance(error, DomainError | Poison) and getattr(error, "retriable", True) is not False


class Delivery:
    """Applies messages to subscribers exactly once in effect."""

    def __init__(
        self,
        uows: UnitOfWorkFactory,
        *,
        max_attempts: int,
        retry_delay: float,
        on_dead_letter: Callable[[DeadLetter, Message], Awaitable[None]] | None = None,
        on_outcome: Callable[[str, str], None] | None = None,
    ) -> None:
        self.uows, self.max_attempts, self.retry_delay = uows, max_attempts, retry_delay
        #: Told of each new dead letter (the Kafka transport publishes it to hub.dlq.v1).
        self.on_dead_letter = on_dead_letter
        #: Told ``(subscriber, outcome)`` of every message handled (metrics).
        self.on_outcome = on_outcome

    async def handle(self, subscriber: Subscriber, message: Message, *, redrive: int | None = None) -> Outcome:
        """Apply ``message``; ``redrive`` is the dead letter being retried, if any."""
        outcome = await self._handle(subscriber, message, redrive)
        if self.on_outcome is not None:
            self.on_outcome(subscriber.name, outcome.value)
        return outcome

    async def _handle(self, subscriber: Subscriber, message: Message, redrive: int | None) -> Outcome:
        try:
            delivered = decode(message.value)
        except Poison as error:
            await self._bury(subscriber, message, None, error, 0, redrive)
            return Outcome.DEAD
        if not subscriber.wants(delivered.envelope.type):
            if redrive is not None:
                await self._resolve(redrive, "retried")
            return Outcome.SKIPPED
        attempts = 0
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_attempts),
                # (not wait_exponential_jitter(initial=…): deprecated in tenacity 9.2)
                wait=wait_exponential(multiplier=self.retry_delay, max=30) + wait_random(0, self.retry_delay),
                retry=retry_if_exception(_retriable),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    outcome = await self._apply(subscriber, delivered)
        except Exception as error:  # past the retry limit (or not retriable): the message is parked
            log.warning(
                "%s: %s %s failed after %d attempt(s): %s",
                subscriber.name,
                delivered.envelope.type,
                delivered.envelope.event_id,
                attempts,
                error,
            )
            await self._bury(subscriber, message, delivered, error, attempts, redrive)
            return Outcome.DEAD
        if redrive is not None:
            await self._resolve(redrive, "retried")
        return outcome

    async def _apply(self, subscriber: Subscriber, delivered: Delivered) -> Outcome:
        envelope = delivered.envelope
        cause = causation_id.set(envelope.event_id)
        correlation = correlation_id.set(envelope.correlation_id or envelope.event_id)
        try:
            async with self.uows() as uow:
                if not await _claim(uow.session, subscriber.name, envelope.event_id):
                    return Outcome.DUPLICATE
                await subscriber.handler(delivered, uow)
                await uow.commit()
                return Outcome.APPLIED
        finally:
            causation_id.reset(cause)
            correlation_id.reset(correlation)

    async def _bury(
        self,
        subscriber: Subscriber,
        message: Message,
        delivered: Delivered | None,
        error: BaseException,
        attempts: int,
        redrive: int | None,
    ) -> None:
        text = f"{type(error).__name__}: {error}"[:4000]
        named = _named(delivered.envelope.model_dump(include=set(_NAMED)) if delivered else _lenient(message.value))
        async with self.uows.db.writing() as conn:
            if redrive is not None:
                await conn.execute(
                    update(t.dead_letters)
                    .where(t.dead_letters.c.id == redrive)
                    .values(
                        error=text, attempts=t.dead_letters.c.attempts + attempts, status="pending", updated_at=utcnow()
                    )
                )
                return
            letter_id = await file_dead_letter(
                conn,
                kind=EVENT,
                subscriber=subscriber.name,
                **named,
                source=message.source,
                message=message.value.decode("utf-8", "replace"),
                error=text,
                attempts=attempts,
            )
        letter = DeadLetter(
            letter_id,
            subscriber.name,
            named["event_id"],
            named["type"],
            message.source,
            text,
            attempts,
        )
        log.error("%s: dead letter %d from %s: %s", subscriber.name, letter_id, message.source, text)
        if self.on_dead_letter is not None:
            await self.on_dead_letter(letter, message)

    async def _resolve(self, letter_id: int, status: str) -> None:
        async with self.uows.db.writing() as conn:
            await conn.execute(
                update(t.dead_letters)
                .where(t.dead_letters.c.id == letter_id)
                .values(status=status, updated_at=utcnow())
            )


#: The envelope fields a dead letter is filed under, with their column widths.
_NAMED = {"event_id": 36, "type": 64, "aggregate_type": 64, "aggregate_id": 128}


def _lenient(value: bytes) -> dict[str, Any]:
    """A poison message read as loosely as possible: an unknown type or version still
    has an envelope that says which event it is, and an operator wants to see that."""
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _named(fields: dict[str, Any]) -> dict[str, str | None]:
    """The dead letter's event id, type and aggregate: strings cut to their columns, else None."""
    return {
        name: value[:width] if isinstance(value := fields.get(name), str) else None for name, width in _NAMED.items()
    }


async def _claim(session: object, subscriber: str, event_id: str) -> bool:
    """Insert the inbox row; False if this subscriber already applied the event."""
    stmt = (
        upsert_insert(session, t.inbox)  # type: ignore[arg-type]
        .values(subscriber=subscriber, event_id=event_id, processed_at=utcnow())
        .on_conflict_do_nothing()
    )
    result = await session.execute(stmt)  # type: ignore[attr-defined]
    return bool(result.rowcount == 1)
