"""Messages a subscriber cannot handle become dead letters; everything else keeps flowing.

Poison (undecodable, unknown type or version, a payload off its schema) is parked at
once; a handler that keeps failing is retried with backoff and parked after the limit.
A parked message can be re-driven once its cause is fixed, or dropped.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import insert

from hub.bootstrap import Hub
from hub.db import tables as t
from hub.outbox import deadletters
from hub.outbox.delivery import Outcome
from hub.outbox.kafka import ALL_TOPICS, ensure_topics
from hub.outbox.subscribers import DLQ_TOPIC
from tests.integration.events.support import (
    Recorder,
    applied,
    assert_applied_once_in_order,
    emit_products,
    event_hub,
    eventually,
    outbox,
    read_topic,
    running,
    settings_for,
    unique,
    wait_applied,
)

#: Outbox rows no hub can read, and what the dead letter says about each.
POISON = {
    "unknown type": ("product.exploded", 1, {"sku": "SKU-1"}, "unknown event type 'product.exploded'"),
    "unknown version": ("product.upserted", 99, {"sku": "SKU-2"}, "product.upserted version 99 is not known"),
    "off its schema": ("product.upserted", 1, {"sku": "SKU-3", "colour": "red"}, "does not match its schema"),
}


async def insert_poison(hub: Hub) -> dict[str, str]:
    """Outbox rows a producer of another version might have written: event id by kind."""
    ids = {}
    async with hub.db.writing() as conn:
        for kind, (type_, version, payload, _) in POISON.items():
            ids[kind] = str(uuid.uuid4())
            await conn.execute(
                insert(t.outbox).values(
                    event_id=ids[kind],
                    type=type_,
                    version=version,
                    aggregate_type="product",
                    aggregate_id=payload["sku"],
                    tenant="default",
                    occurred_at=datetime.now(UTC),
                    payload=payload,
                )
            )
    hub.db.outbox_signal.notify()
    return ids


async def produce_garbage(bootstrap: str, partitions: int) -> None:
    """A message on a hub topic that is not an event envelope at all."""
    await ensure_topics(bootstrap, ALL_TOPICS, partitions)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait("hub.product.v1", b"\x00\x01 not json", key=b"SKU-0")
    finally:
        await producer.stop()


async def test_poison_and_failing_messages_become_dead_letters_while_the_rest_flows(
    database_url: str, transport: str, bootstrap: str
) -> None:
    shop = Recorder(unique("shop"), failing={"BAD-0"})
    settings = settings_for(database_url, transport, bootstrap, consumer_max_attempts=3)
    async with event_hub(settings, shop.subscriber()) as hub:
        async with running(hub) as runtime:
            good = await emit_products(hub, 40, keys=4)
            [bad] = await emit_products(hub, 1, keys=1, prefix="BAD")
            poison = await insert_poison(hub)
            if transport == "kafka":
                await produce_garbage(bootstrap, settings.kafka_partitions)
            good += await emit_products(hub, 40, keys=4, first=40)
            expected = len(POISON) + 1 + (transport == "kafka")

            await wait_applied(hub, shop.name, good, alive=[runtime])
            await eventually(lambda: _pending_count(hub, expected), f"{expected} dead letters", alive=[runtime])

        letters = {letter.event_id: letter for letter in await deadletters.list_letters(hub.db)}
        failed = letters.pop(bad)
        assert (failed.subscriber, failed.type, failed.aggregate_id) == (shop.name, "product.upserted", "BAD-0")
        assert failed.attempts == 3 and shop.calls[bad] == 3, "retried up to the limit, then parked"
        assert failed.error == "HandlerDown: the system behind BAD-0 is down"
        for kind, event_id in poison.items():
            letter = letters.pop(event_id)
            assert letter.attempts == 0 and POISON[kind][3] in letter.error, "poison is parked at once"
            assert (letter.type, letter.aggregate_id) == (POISON[kind][0], POISON[kind][2]["sku"]), (
                "filed by its envelope"
            )
            assert event_id not in shop.calls, "the handler never saw it"
        if transport == "kafka":
            garbage = letters.pop(None)
            assert garbage.error.startswith("Poison: not an event envelope") and garbage.attempts == 0
            assert garbage.source.startswith("kafka:hub.product.v1/")
            assert garbage.message == "\ufffd\x01 not json", "kept as received, but for NUL (PostgreSQL text)"
        assert letters == {}
        rows = await outbox(hub.db)
        await assert_applied_once_in_order(hub.db, shop.name, [row for row in rows if row.event_id in set(good)])
        if transport == "kafka":
            await _assert_dlq_topic_matches_table(hub, bootstrap)

        # Re-drive: still failing, it stays parked with more attempts; fixed, it is applied once.
        outcome, letter = await deadletters.retry(hub.db, hub.delivery, hub.subscribers, failed.id)
        assert (outcome, letter.status, letter.attempts) == (Outcome.DEAD, "pending", 6)
        shop.failing.clear()
        outcome, letter = await deadletters.retry(hub.db, hub.delivery, hub.subscribers, failed.id)
        assert (outcome, letter.status) == (Outcome.APPLIED, "retried")
        assert [effect.event_id for effect in await applied(hub.db, shop.name)].count(bad) == 1
        with pytest.raises(deadletters.DeadLetterError, match="is retried, not pending"):
            await deadletters.retry(hub.db, hub.delivery, hub.subscribers, failed.id)

        # Poison stays poison: a re-drive parks it again; an operator drops it.
        unknown = next(
            letter for letter in await deadletters.list_letters(hub.db) if letter.event_id == poison["unknown type"]
        )
        outcome, letter = await deadletters.retry(hub.db, hub.delivery, hub.subscribers, unknown.id)
        assert (outcome, letter.status) == (Outcome.DEAD, "pending")
        dropped = await deadletters.drop(hub.db, unknown.id)
        assert dropped.status == "dropped"
        with pytest.raises(deadletters.DeadLetterError, match="is dropped, not pending"):
            await deadletters.drop(hub.db, unknown.id)
        assert await deadletters.count_pending(hub.db) == {shop.name: expected - 2}


async def _pending_count(hub: Hub, n: int) -> bool:
    return sum((await deadletters.count_pending(hub.db)).values()) >= n


async def _assert_dlq_topic_matches_table(hub: Hub, bootstrap: str) -> None:
    letters = {letter.id: letter for letter in await deadletters.list_letters(hub.db)}
    published: dict[int, dict[str, Any]] = {}
    for record in await read_topic(bootstrap, DLQ_TOPIC):
        body = json.loads(record.value)
        published[body["dead_letter_id"]] = body
        assert record.key == (body["event_id"] or str(body["dead_letter_id"])).encode()
    assert sorted(published) == sorted(letters), f"{DLQ_TOPIC} carries each dead letter once"
    for letter_id, body in published.items():
        letter = letters[letter_id]
        assert (body["subscriber"], body["event_id"], body["error"], body["attempts"]) == (
            letter.subscriber,
            letter.event_id,
            letter.error,
            letter.attempts,
        )
        assert body["message"].replace("\x00", "\ufffd") == letter.message


async def test_a_dead_letter_of_a_subscriber_this_hub_does_not_run_is_refused(database_url: str) -> None:
    shop = Recorder(unique("shop"), failing={"BAD-0"})
    async with event_hub(settings_for(database_url, consumer_max_attempts=1), shop.subscriber()) as hub:
        async with running(hub) as runtime:
            await emit_products(hub, 1, keys=1, prefix="BAD")
            await eventually(lambda: _pending_count(hub, 1), "a dead letter", alive=[runtime])
        [letter] = await deadletters.list_letters(hub.db)
        with pytest.raises(deadletters.DeadLetterError, match="which this hub does not run"):
            await deadletters.retry(hub.db, hub.delivery, {}, letter.id)
        with pytest.raises(deadletters.DeadLetterError, match="no dead letter with id"):
            await deadletters.retry(hub.db, hub.delivery, hub.subscribers, letter.id + 1000)
        assert (await deadletters.get(hub.db, letter.id)) == letter, "refusing changed nothing"


async def test_a_message_neither_applied_nor_parked_is_delivered_again_not_lost(
    database_url: str, transport: str, bootstrap: str
) -> None:
    """The database fails just as a failed message is being parked: it must come round again."""
    shop = Recorder(unique("shop"), failing={"BAD-0"})
    settings = settings_for(database_url, transport, bootstrap, consumer_max_attempts=1)
    async with event_hub(settings, shop.subscriber()) as hub:
        bury, troubles = hub.delivery._bury, []

        async def bury_once_the_database_is_back(*args: Any, **kwargs: Any) -> None:
            if not troubles:
                troubles.append("once")
                raise ConnectionError("the database went away")
            await bury(*args, **kwargs)

        hub.delivery._bury = bury_once_the_database_is_back  # type: ignore[method-assign]
        async with running(hub) as runtime:
            good = await emit_products(hub, 10, keys=2)
            [bad] = await emit_products(hub, 1, keys=1, prefix="BAD")
            good += await emit_products(hub, 10, keys=2, first=10)
            await wait_applied(hub, shop.name, good, alive=[runtime])
            await eventually(lambda: _pending_count(hub, 1), "the failing message parked", alive=[runtime])

        [letter] = await deadletters.list_letters(hub.db)
        assert letter.event_id == bad and troubles == ["once"]
        assert shop.calls[bad] == 2, "handled again after the first parking failed"
        rows = await outbox(hub.db)
        await assert_applied_once_in_order(hub.db, shop.name, [row for row in rows if row.event_id in set(good)])
