"""``hub relay`` killed with SIGKILL: nothing is lost, duplicates are dropped, a standby takes over.

The relays run as real ``hub relay`` processes against a pre-filled outbox. To kill one
*mid-batch* — its batch acknowledged by Kafka but not yet marked published — the test
holds a write lock on the outbox table: the relay publishes its next batch, then waits
for the lock to mark it, and is killed right there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.engine import make_url

from hub.outbox.kafka import ALL_TOPICS, ensure_topics
from tests.integration.events.support import (
    Recorder,
    assert_applied_once_in_order,
    count_outcomes,
    emit_products,
    event_hub,
    eventually,
    outbox,
    running,
    settings_for,
    unique,
    unpublished,
    wait_applied,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

HUB = str(Path(sys.executable).with_name("hub"))
BATCH = 20
TOPIC = "hub.product.v1"


class Relays:
    """``hub relay`` processes on one database, each logging to a file of its own."""

    def __init__(self, database_url: str, bootstrap: str, where: Path) -> None:
        self.where = where
        self.env = {
            **os.environ,
            "HUB_DATABASE_URL": database_url,
            "HUB_MIGRATE_ON_START": "0",
            "HUB_TRANSPORT": "kafka",
            "HUB_KAFKA_BOOTSTRAP": bootstrap,
            "HUB_RELAY_BATCH_SIZE": str(BATCH),
            "HUB_POLL_INTERVAL": "0.2",
            "HUB_LOG_LEVEL": "info",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with self.log(name).open("ab") as sink:
            process = subprocess.Popen([HUB, "relay"], env=self.env, cwd=self.where, stdout=sink, stderr=sink)
        self.processes[name] = process
        return process

    def log(self, name: str) -> Path:
        return self.where / f"relay-{name}.log"

    def says(self, name: str, text: str) -> bool:
        return text in self.log(name).read_text(errors="replace")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> int:
        """SIGTERM, as an operator's Ctrl-C would: the relay finishes cleanly."""
        process = self.processes[name]
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=30)

    def close(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def relays(database_url: str, kafka: str, tmp_path: Path) -> Iterator[Relays]:
    processes = Relays(database_url, kafka, tmp_path)
    try:
        yield processes
    finally:
        processes.close()


@contextlib.asynccontextmanager
async def marking_held(database_url: str) -> AsyncIterator[None]:
    """Hold a write lock on the outbox: relays can read and publish but cannot mark rows."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    pg = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        transaction = pg.transaction()
        await transaction.start()
        await pg.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")  # reads go on; UPDATEs wait
        yield
        await transaction.rollback()
    finally:
        await pg.close()


class Tally:
    """Counts the messages landing on a topic as they land (no consumer group)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.topic, self.seen = topic, 0

    async def __aenter__(self) -> Tally:
        await self.consumer.start()
        await self.consumer.topics()
        partitions = [TopicPartition(self.topic, p) for p in self.consumer.partitions_for_topic(self.topic) or ()]
        assert partitions, f"{self.topic} does not exist"
        self.consumer.assign(partitions)
        await self.consumer.seek_to_beginning(*partitions)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def count(self) -> int:
        for batch in (await self.consumer.getmany(timeout_ms=50)).values():
            self.seen += len(batch)
        return self.seen


async def _marked(hub_db: object, total: int) -> int:
    return total - await unpublished(hub_db)  # type: ignore[arg-type]


async def test_relay_killed_mid_batch_loses_nothing_and_consumers_drop_the_duplicates(
    database_url: str, kafka: str, relays: Relays
) -> None:
    total = 2500
    shop = Recorder(unique("shop"))
    settings = settings_for(database_url, "kafka", kafka)
    async with event_hub(settings, shop.subscriber()) as hub:
        await emit_products(hub, total, keys=25, per_commit=100)
        await ensure_topics(kafka, ALL_TOPICS, settings.kafka_partitions)

        async with Tally(kafka, TOPIC) as sent:
            relays.start("first")

            async def some_marked() -> bool:
                return await _marked(hub.db, total) >= total // 5

            await eventually(some_marked, "the first relay marked a fifth of the rows")
            async with marking_held(database_url):
                marked = await _marked(hub.db, total)
                assert marked < total, "the relay finished before it could be killed mid-batch"

                async def published_beyond_marked() -> bool:
                    return await sent.count() > marked

                await eventually(published_beyond_marked, "a batch published but not marked")
                relays.kill("first")
            assert await _marked(hub.db, total) == marked, "the killed relay marked nothing more"

            relays.start("second")

            async def all_marked() -> bool:
                return await unpublished(hub.db) == 0

            await eventually(all_marked, "the second relay published the rest")
            assert relays.stop("second") == 0

            async def all_sent() -> bool:
                return await sent.count() >= total

            await eventually(all_sent, "every event in Kafka")
            duplicates = await sent.count() - total
        assert 0 < duplicates <= 2 * BATCH, "the killed relay's unmarked batch went out twice, nothing else"

        outcomes = count_outcomes(hub)
        rows = await outbox(hub.db)
        async with running(hub, relay=False) as workers:
            await wait_applied(hub, shop.name, [row.event_id for row in rows], alive=[workers])

            async def duplicates_seen() -> bool:
                return outcomes["duplicate"] >= duplicates

            await eventually(duplicates_seen, "the duplicates delivered too", alive=[workers])
        assert outcomes == {"applied": total, "duplicate": duplicates}
        await assert_applied_once_in_order(hub.db, shop.name, rows)


async def test_a_standby_relay_takes_over_when_the_leader_is_killed(
    database_url: str, kafka: str, relays: Relays
) -> None:
    total = 1000
    shop = Recorder(unique("shop"))
    settings = settings_for(database_url, "kafka", kafka)
    async with event_hub(settings, shop.subscriber()) as hub:
        await emit_products(hub, total, keys=10, per_commit=100)
        await ensure_topics(kafka, ALL_TOPICS, settings.kafka_partitions)

        async with Tally(kafka, TOPIC) as sent:
            async with marking_held(database_url):
                relays.start("a")
                relays.start("b")

                async def roles_settled() -> bool:
                    leading = [name for name in "ab" if relays.says(name, "relay: leading")]
                    waiting = [name for name in "ab" if relays.says(name, "standing by")]
                    return len(leading) == 1 and len(waiting) == 1 and leading != waiting

                await eventually(roles_settled, "one relay leading, the other standing by", timeout=30)
                leader = next(name for name in "ab" if relays.says(name, "relay: leading"))
                standby = "b" if leader == "a" else "a"

                async def one_batch_out() -> bool:
                    return await sent.count() >= BATCH

                await eventually(one_batch_out, "the leader's first batch in Kafka")
                await asyncio.sleep(1.0)  # give a second leader, if there were one, time to publish too
                # The leader blocks on its first mark with at most the next batch sent
                # meanwhile; a second leader would have sent batches of its own.
                in_kafka = await sent.count()
                assert in_kafka in (BATCH, 2 * BATCH), f"only the leader publishes ({in_kafka} sent)"
                assert not relays.says(standby, "relay: leading")
                relays.kill(leader)
            assert await unpublished(hub.db) == total, "the leader died before marking anything"

            async def took_over() -> bool:
                return relays.says(standby, "relay: leading") and await unpublished(hub.db) == 0

            took = await eventually(took_over, "the standby leading and the outbox drained", timeout=30)
            assert took < 15, f"the standby took {took:.1f}s to take over"
            assert relays.stop(standby) == 0

            async def all_sent() -> bool:
                return await sent.count() >= total + in_kafka

            await eventually(all_sent, "every event in Kafka, what the dead leader sent twice")

        rows = await outbox(hub.db)
        async with running(hub, relay=False) as workers:
            await wait_applied(hub, shop.name, [row.event_id for row in rows], alive=[workers])
        await assert_applied_once_in_order(hub.db, shop.name, rows)
