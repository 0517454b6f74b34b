"""The ``kafka`` transport: the relay publishes to Kafka; workers consume with faststream.

Topics are ``hub.<aggregate_type>.v1`` (key = aggregate id, so one aggregate's events
stay in one partition, in order) and ``hub.dlq.v1`` for dead letters.

The relay sends through aiokafka's producer directly rather than through faststream's
``publish``: it ships pre-serialised bytes with a key and two headers, none of
faststream's per-message machinery applies, and skipping it keeps the relay near the
broker's own rate. Consumers are faststream subscribers in consumer groups
(``hub.<subscriber>``), so adding workers spreads the partitions among them.

Idempotent producers and transactions are not used (some Kafka-compatible brokers
refuse them); duplicates are dropped by the consumers' inbox instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from hub.config import Settings
from hub.core.events import EVENT_TYPES
from hub.db.outbox import OutboxRecord
from hub.outbox.delivery import DeadLetter, Delivery, Message
from hub.outbox.relay import PublishError
from hub.outbox.stall import Progress
from hub.outbox.subscribers import DLQ_TOPIC, Subscriber, topic_of
from hub.outbox.trace import Trace

__all__ = ["ALL_TOPICS", "PRODUCER_OPTIONS", "KafkaPublisher", "consumer_options", "ensure_topics", "kafka_broker"]

log = logging.getLogger("hub.kafka")
FASTSTREAM_LOG = logging.getLogger("hub.faststream")

#: How the relay's producer sends (bench/relay.py gives its bare producer the same).
PRODUCER_OPTIONS: dict[str, Any] = {
    "acks": "all",
    "linger_ms": 2,
    "max_batch_size": 256 * 1024,
    "request_timeout_ms": 15_000,
}


def consumer_options(settings: Settings) -> dict[str, Any]:
    """How the subscribers' consumers fetch (bench/relay.py gives its bare consumer the same)."""
    return {"fetch_max_wait_ms": settings.kafka_fetch_max_wait_ms}


#: Every topic the hub publishes to.
ALL_TOPICS = sorted({topic_of(cls.aggregate_type) for cls in EVENT_TYPES.values()} | {DLQ_TOPIC})


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int) -> None:
    """Create whichever of ``topics`` the broker lacks."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, partitions, 1) for name in topics if name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            log.info("created topics %s", ", ".join(t.name for t in missing))
    finally:
        await admin.close()


class KafkaPublisher:
    """The relay's way to Kafka: ``acks=all``, every record of a batch in flight at once."""

    def __init__(self, bootstrap: str, *, partitions: int) -> None:
        self.bootstrap, self.partitions = bootstrap, partitions
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        try:
            await ensure_topics(self.bootstrap, ALL_TOPICS, self.partitions)
            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, client_id="jxc-hub-relay", **PRODUCER_OPTIONS)
            await producer.start()
        except KafkaError as error:
            raise PublishError(f"Kafka at {self.bootstrap} is unreachable: {error}") from error
        self._producer = producer

    async def publish(self, records: list[OutboxRecord]) -> None:
        producer = self._producer
        if producer is None:
            await self.start()
            producer = self._producer
        assert producer is not None
        try:
            # send() only queues; awaiting all the futures afterwards keeps the whole
            # batch in flight (aiokafka keeps per-partition order).
            futures = [
                await producer.send(
                    record.topic,
                    value=record.message,
                    key=record.aggregate_id.encode(),
                    headers=[("event_id", record.event_id.encode()), ("type", record.type.encode())],
                )
                for record in records
            ]
            await asyncio.gather(*futures)
        except KafkaError as error:
            # The producer may be wedged on a vanished broker or topic: start afresh.
            await self.stop()
            raise PublishError(f"Kafka refused a batch of {len(records)}: {error!r}") from error

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()


def kafka_broker(
    bootstrap: str,
    subscribers: Iterable[Subscriber],
    delivery: Delivery,
    *,
    consumer: dict[str, Any] | None = None,
    trace: Trace | None = None,
    progress: Progress | None = None,
) -> KafkaBroker:
    """A faststream broker with one consumer-group subscriber per hub subscriber.

    ``consumer``: aiokafka consumer options for every subscriber (:func:`consumer_options`).
    ``progress``: told of every message the subscribers receive (:mod:`hub.outbox.stall`).
    """
    # faststream's own lines go to ``hub.faststream`` (so they reach the process log with the
    # hub's): a failed commit or seek, a fetch error, each new partition assignment. Its
    # per-message "Received"/"Processed" lines are DEBUG, below the hub's usual level.
    broker = KafkaBroker(
        bootstrap, acks="all", client_id="jxc-hub-worker", logger=FASTSTREAM_LOG, log_level=logging.DEBUG
    )

    for subscriber in subscribers:
        _subscribe(broker, subscriber, delivery, consumer or {}, trace, progress or Progress())

    async def publish_dead_letter(letter: DeadLetter, message: Message) -> None:
        body = json.dumps(
            {
                "dead_letter_id": letter.id,
                "subscriber": letter.subscriber,
                "event_id": letter.event_id,
                "type": letter.type,
                "source": letter.source,
                "error": letter.error,
                "attempts": letter.attempts,
                "message": message.value.decode("utf-8", "replace"),
            }
        ).encode()
        try:
            await broker.publish(body, DLQ_TOPIC, key=(letter.event_id or str(letter.id)).encode())
        except KafkaError as error:  # the table is the record; the topic is a notification
            log.warning("dead letter %d not published to %s: %s", letter.id, DLQ_TOPIC, error)

    delivery.on_dead_letter = publish_dead_letter
    return broker


#: Pause before a message that could be neither applied nor parked comes round again.
REDELIVERY_PAUSE = 1.0


def _subscribe(
    broker: KafkaBroker,
    subscriber: Subscriber,
    delivery: Delivery,
    options: dict[str, Any],
    trace: Trace | None,
    progress: Progress,
) -> None:
    async def consume(msg: KafkaMessage) -> None:
        with progress.handling(subscriber.name):
            await _consume(msg)

    async def _consume(msg: KafkaMessage) -> None:
        raw = msg.raw_message
        if trace is not None:
            trace("consumer.fetched", [v.decode() for k, v in raw.headers if k == "event_id"])  # type: ignore[union-attr]
        source = f"kafka:{raw.topic}/{raw.partition}@{raw.offset}"  # type: ignore[union-attr]
        try:
            await delivery.handle(subscriber, Message(raw.value or b"", source))  # type: ignore[union-attr]
        except Exception:
            # Neither applied nor parked (the database failed, say): raising leaves the
            # offset uncommitted and rewinds to this message (NACK_ON_ERROR), so it comes
            # round again. Committing it here would lose it for this subscriber.
            log.exception("%s: %s neither applied nor parked; it will be delivered again", subscriber.name, source)
            await asyncio.sleep(REDELIVERY_PAUSE)
            raise

    broker.subscriber(
        *subscriber.topics,
        group_id=f"hub.{subscriber.name}",
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"hub.{subscriber.name}",
        description=f"subscriber {subscriber.name}",
        **options,
    )(consume)
