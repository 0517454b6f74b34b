"""Outbox relay throughput next to a bare Kafka producer, and commit-to-handler latency.

**Throughput.** The outbox is pre-filled with ``--events`` committed, unpublished
``stock.level_changed`` rows; a real :class:`hub.outbox.relay.Relay` with the
:class:`hub.outbox.kafka.KafkaPublisher` then drains it to Kafka, timed from its start
until every row is published *and marked*. In the same round, against the same
broker, a bare aiokafka producer with the publisher's own settings (``acks=all``,
linger, batch size) sends the very same messages — value bytes, keys, headers —
pipelined the same way (a batch in flight at once, then wait for its acks). The
headline is the ratio *relay events/s ÷ bare events/s*: what reading the outbox,
building records and marking rows costs on top of the producer itself. A second table
says where the CPU went: this process, the broker, PostgreSQL's backends.

**Latency.** With :class:`hub.outbox.runtime.EventRuntime` (relay + subscribers) on
the ``local`` and the ``kafka`` transport, single changes are committed at a modest
rate; each is timed from just after ``uow.commit()`` returns to the entry of a
subscriber's handler (matched by ``event_id``). The producer runs in the same process
(woken by the in-process signal; on PostgreSQL also ``LISTEN/NOTIFY``) and in another
process (PostgreSQL: ``LISTEN/NOTIFY`` only; SQLite: nothing wakes the relay, so it
waits for its poll). A last row times a bare producer → consumer-group round trip on
the same kind of broker: the broker's own share of the ``kafka`` rows.

    .venv/bin/python bench/relay.py [--events 100000] [--batch-sizes 1000,5000] [--postgres-url URL]

Kafka is a throwaway Tansu broker (``hub.outbox.tansu``) started per round on a free
port. PostgreSQL: a scratch database is created on the server at ``--postgres-url``
and dropped afterwards; when the server is unreachable the PostgreSQL rows are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import os
import platform
import pstats
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import sqlalchemy
from _scratch import scratch_postgres
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import delete, insert, text
from sqlalchemy.engine import make_url

from hub.bootstrap import build
from hub.config import Settings
from hub.core.events import StockLevelChanged
from hub.db import tables as t
from hub.db.engine import Database, open_database
from hub.db.migrate import upgrade_async
from hub.db.outbox import OutboxRecord, after, backlog, outbox_row
from hub.db.uow import SqlUnitOfWork
from hub.outbox.envelope import correlation_id, envelope_for
from hub.outbox.kafka import ALL_TOPICS, PRODUCER_OPTIONS, KafkaPublisher, ensure_topics
from hub.outbox.relay import Relay
from hub.outbox.runtime import EventRuntime
from hub.outbox.subscribers import Delivered, Subscriber, topic_of
from hub.outbox.tansu import TansuBroker, tansu_binary

__all__ = ["main"]

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
WAREHOUSES = ("WH-SH", "WH-BJ", "WH-GZ", "WH-CD")
#: The bare producer's topic: as many partitions as the hub's, fresh on every broker.
BARE_TOPIC = "bench.bare.v1"
HUB_TOPIC = topic_of(StockLevelChanged.aggregate_type)
#: Seconds a drain or a latency run may take before the benchmark gives up on it.
TIMEOUT = 600.0

# Wide enough for the tables when the output goes to a file or a pipe.
console = Console(width=None if sys.stdout.isatty() else 132)


# -- the events -----------------------------------------------------------------------------------------


def level_changed(rng: random.Random, skus: Sequence[str]) -> StockLevelChanged:
    """A plausible stock level after a change: integers mostly, now and then kilograms."""
    on_hand = Decimal(rng.randint(0, 5000)) if rng.random() < 0.9 else Decimal(rng.randint(0, 500_000)) / 100
    reserved = min(on_hand, Decimal(rng.randint(0, 40)))
    in_transit = Decimal(rng.choice((0, 0, 0, 12, 24, 48, 120)))
    return StockLevelChanged(
        sku=rng.choice(skus),
        warehouse=rng.choice(WAREHOUSES),
        on_hand=on_hand,
        reserved=reserved,
        available=on_hand - reserved,
        in_transit=in_transit,
    )


def outbox_rows(count: int, sku_count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` outbox rows as a unit of work writes them (``envelope_for`` → ``outbox_row``).

    Each "request" commits 1–3 level changes under one correlation id, as a sales
    order of 1–3 lines does; occurred_at advances a few milliseconds per request.
    """
    rng = random.Random(seed)
    skus = [f"SKU-{i:05d}" for i in range(sku_count)]
    at = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        at += timedelta(microseconds=rng.randint(500, 5000))
        token = correlation_id.set(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        try:
            for _ in range(min(rng.randint(1, 3), count - len(rows))):
                envelope = envelope_for(level_changed(rng, skus), tenant=DEFAULTS.tenant, occurred_at=at)
                rows.append(outbox_row(envelope))
        finally:
            correlation_id.reset(token)
    return rows


async def refill(db: Database, rows: list[dict[str, Any]]) -> None:
    """Empty the outbox and insert ``rows``, unpublished (ids from 1 again)."""
    async with db.writing() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))
        else:
            await conn.execute(delete(t.outbox))
        for start in range(0, len(rows), 5000):
            await conn.execute(insert(t.outbox), rows[start : start + 5000])
    async with db.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        if db.dialect == "postgresql":
            # Statistics, as autovacuum would keep; no VACUUM or CHECKPOINT: in a running hub
            # rows are marked moments after they were written, before either comes by.
            await conn.execute(text("ANALYZE outbox"))
        else:
            # The inserts leave the WAL big; the relay should not pay for checkpointing them.
            await conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


async def read_all(db: Database) -> list[OutboxRecord]:
    records: list[OutboxRecord] = []
    while batch := await after(db, records[-1].seq if records else 0, 10_000):
        records += batch
    return records


# -- throughput ----------------------------------------------------------------------------------------------


@dataclass
class Drain:
    """One timed drain of the whole outbox (or the same messages, bare)."""

    events: int
    seconds: float
    load: float
    #: CPU seconds spent meanwhile by this process (all threads), the broker, and the
    #: database server's backends for the scratch database (PostgreSQL on this machine).
    cpu: Cpu

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


@dataclass(frozen=True)
class Cpu:
    process: float
    broker: float
    database: float


class CpuMeter:
    """CPU time of this process, the broker, and the database's backends (Linux ``/proc``)."""

    def __init__(self, db: Database, broker: TansuBroker) -> None:
        self.db = db
        process = broker._process  # the broker's own process: its CPU is part of the cost
        self.broker_pid = process.pid if process is not None else None

    async def read(self) -> tuple[float, float, dict[int, float]]:
        backends = {pid: _cpu_of(pid) for pid in await self._backend_pids()}
        return time.process_time(), _cpu_of(self.broker_pid) if self.broker_pid else 0.0, backends

    @staticmethod
    def used(before: tuple[float, float, dict[int, float]], after: tuple[float, float, dict[int, float]]) -> Cpu:
        # Backends that began meanwhile count from zero.
        database = sum(cpu - before[2].get(pid, 0.0) for pid, cpu in after[2].items())
        return Cpu(after[0] - before[0], after[1] - before[1], database)

    async def _backend_pids(self) -> list[int]:
        if self.db.dialect != "postgresql" or make_url(self.db.url).host not in ("127.0.0.1", "localhost", None):
            return []
        async with self.db.engine.connect() as conn:
            pids = await conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
            return [pid for pid in pids if _is_postgres(pid)]


def _cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres")
    except OSError:
        return False


def _settle() -> None:
    """Collect garbage, then exempt what survives from further collections.

    The benchmark holds every row twice (as dicts to insert and as records for the bare
    producer): a million objects that a running relay would not have, and that each
    full collection during a drain would walk again.
    """
    gc.collect()
    gc.freeze()


async def bare_send(meter: CpuMeter, bootstrap: str, records: list[OutboxRecord], batch_size: int) -> Drain:
    """The same messages through a plain producer with the relay's settings, a batch in flight at once."""
    messages = [
        (r.message, r.aggregate_id.encode(), [("event_id", r.event_id.encode()), ("type", r.type.encode())])
        for r in records
    ]
    _settle()
    before = await meter.read()
    started = time.perf_counter()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, client_id="bench-bare", **PRODUCER_OPTIONS)
    await producer.start()
    try:
        for first in range(0, len(messages), batch_size):
            futures = [
                await producer.send(BARE_TOPIC, value=value, key=key, headers=headers)
                for value, key, headers in messages[first : first + batch_size]
            ]
            await asyncio.gather(*futures)
        seconds = time.perf_counter() - started
        used = meter.used(before, await meter.read())
    finally:
        await producer.stop()
    return Drain(len(messages), seconds, os.getloadavg()[0], used)


async def relay_drain(
    meter: CpuMeter,
    db: Database,
    bootstrap: str,
    *,
    events: int,
    batch_size: int,
    partitions: int,
    profile: cProfile.Profile | None,
) -> Drain:
    """A real relay with the Kafka publisher, from its start until ``events`` rows are published and marked."""
    if (waiting := (await backlog(db)).rows) != events:
        raise RuntimeError(f"the outbox holds {waiting} unpublished rows, not {events}")
    stop, done = asyncio.Event(), asyncio.Event()
    published = 0

    def on_published(count: int) -> None:
        nonlocal published
        published += count
        if published >= events:
            done.set()

    relay = Relay(
        db,
        KafkaPublisher(bootstrap, partitions=partitions),
        batch_size=batch_size,
        poll_interval=DEFAULTS.poll_interval,
        on_published=on_published,
    )
    _settle()
    before = await meter.read()
    if profile is not None:
        profile.enable()
    started = time.perf_counter()
    running = asyncio.create_task(relay.run(stop))
    finished = asyncio.create_task(done.wait())
    await asyncio.wait({running, finished}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    seconds = time.perf_counter() - started
    if profile is not None:
        profile.disable()
    used = meter.used(before, await meter.read())
    load = os.getloadavg()[0]
    stop.set()
    finished.cancel()
    await running  # re-raises whatever stopped the relay early
    left = (await backlog(db)).rows
    if not done.is_set() or left:
        raise RuntimeError(f"relay published {published} of {events} events ({left} rows left unpublished)")
    return Drain(events, seconds, load, used)


async def event_ids_on(bootstrap: str, topic: str) -> set[str]:
    """The distinct ``event_id`` headers on ``topic``: proves a side delivered every message.

    Read back rather than summing end offsets, which Tansu reports a little short.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()])
        seen: set[str] = set()
        while batches := await consumer.getmany(timeout_ms=1000, max_records=10_000):
            for messages in batches.values():
                seen.update(dict(m.headers)["event_id"].decode() for m in messages)
        return seen
    finally:
        await consumer.stop()


@dataclass
class ThroughputRow:
    database: str
    batch_size: int
    bare: list[Drain] = field(default_factory=list)
    relay: list[Drain] = field(default_factory=list)

    @staticmethod
    def rate(drains: list[Drain]) -> float:
        """Events over seconds, all rounds together."""
        return sum(d.events for d in drains) / sum(d.seconds for d in drains)

    @property
    def ratio(self) -> float:
        return self.rate(self.relay) / self.rate(self.bare)

    @property
    def ratios(self) -> list[float]:
        return [r.per_second / b.per_second for r, b in zip(self.relay, self.bare, strict=True)]


async def throughput(
    name: str, db: Database, rows: list[dict[str, Any]], args: argparse.Namespace
) -> list[ThroughputRow]:
    await refill(db, rows)
    records = await read_all(db)  # exactly what the relay will send, for the bare producer
    assert len(records) == len(rows)
    results, filled = [], True
    for batch_size in args.batch_sizes:
        row = ThroughputRow(name, batch_size)
        for round_ in range(args.rounds):
            console.print(f"  {name}, batch {batch_size:,}, round {round_ + 1} of {args.rounds} …", style="dim")
            if not filled:
                await refill(db, rows)
            filled = False
            profile = cProfile.Profile() if args.profile and round_ == 0 else None
            # A fresh broker per round: both sides write to topics that start empty, on an idle broker.
            with TansuBroker() as broker:
                bare, relay = await _round(db, broker, records, batch_size, round_ % 2 == 1, args, profile)
            row.bare.append(bare)
            row.relay.append(relay)
            if profile is not None:
                _print_profile(profile, f"{name}, batch {batch_size:,}: relay drain", args.profile)
        results.append(row)
    return results


async def _round(
    db: Database,
    broker: TansuBroker,
    records: list[OutboxRecord],
    batch_size: int,
    relay_first: bool,
    args: argparse.Namespace,
    profile: cProfile.Profile | None,
) -> tuple[Drain, Drain]:
    """One bare send and one relay drain of the same messages on one broker; (bare, relay)."""
    bootstrap, events, partitions = broker.bootstrap, len(records), args.partitions
    await ensure_topics(bootstrap, [*ALL_TOPICS, BARE_TOPIC], partitions)
    meter = CpuMeter(db, broker)
    drains: dict[str, Drain] = {}
    # Alternate which side goes first, so neither always meets the fresher broker.
    for side in ("relay", "bare") if relay_first else ("bare", "relay"):
        if side == "bare":
            drains[side] = await bare_send(meter, bootstrap, records, batch_size)
        else:
            drains[side] = await relay_drain(
                meter, db, bootstrap, events=events, batch_size=batch_size, partitions=partitions, profile=profile
            )
    expected = {r.event_id for r in records}
    for side, topic in (("bare", BARE_TOPIC), ("relay", HUB_TOPIC)):
        if (found := await event_ids_on(bootstrap, topic)) != expected:
            raise RuntimeError(f"{side}: {len(expected - found)} of {events} events are not on {topic}")
    return drains["bare"], drains["relay"]


def _print_profile(profile: cProfile.Profile, title: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (title.split(":")[0].replace(", ", "-").replace(" ", "").replace(",", "") + ".prof")
    profile.dump_stats(path)
    console.print(f"[bold]{escape(title)}[/] — top functions by own time (all: {path})")
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(18)


# -- latency --------------------------------------------------------------------------------------------------


@dataclass
class LatencyRow:
    database: str
    transport: str
    producer: str
    wake: str
    #: Seconds from just after commit returned to the handler's entry, per event.
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    load: float = 0.0

    def percentile(self, p: float) -> float:
        """Milliseconds at percentile ``p`` (0 < p < 100)."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[round(p * 10) - 1] * 1000


async def produce(uow: Callable[[], SqlUnitOfWork], count: int, rate: float, seed: int) -> dict[str, float]:
    """Commit ``count`` single level changes, ``rate`` per second; when each commit returned, by event_id."""
    rng = random.Random(seed)
    skus = [f"SKU-{i:05d}" for i in range(3000)]
    committed: dict[str, float] = {}
    next_at = time.monotonic()
    for _ in range(count):
        if (delay := next_at - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        next_at += 1 / rate
        async with uow() as work:
            work.emit(level_changed(rng, skus))
            await work.commit()
            committed[work.committed[0].event_id] = time.monotonic()
    return committed


async def produce_elsewhere(url: str, count: int, rate: float, seed: int) -> dict[str, float]:
    """The same, from another process (this script with ``--produce``): only the database connects them."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--produce",
        json.dumps({"url": url, "count": count, "rate": rate, "seed": seed}),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode:
        raise RuntimeError(f"producer process exited with {child.returncode}")
    return {event_id: float(at) for event_id, at in json.loads(out).items()}


async def _produce_main(spec: dict[str, Any]) -> None:
    hub = build(Settings(database_url=spec["url"], migrate_on_start=False, _env_file=None))  # type: ignore[call-arg]
    try:
        committed = await produce(hub.uow, spec["count"], spec["rate"], spec["seed"])
    finally:
        await hub.close()
    print(json.dumps(committed))  # monotonic clock: the same clock in every process of this machine


async def latency(
    database: str, url: str, transport: str, elsewhere: bool, args: argparse.Namespace, seed: int
) -> LatencyRow:
    entered: dict[str, float] = {}

    async def handler(delivered: Delivered, uow: SqlUnitOfWork) -> None:
        entered.setdefault(delivered.envelope.event_id, time.monotonic())

    subscriber = Subscriber.of(f"bench-latency-{seed}", handler, [StockLevelChanged.type])
    sqlite_db = database == "SQLite"
    if not elsewhere:
        wake = "commit signal" + ("" if sqlite_db else " + NOTIFY")
    else:
        wake = f"poll ({DEFAULTS.poll_interval:g} s)" if sqlite_db else "NOTIFY"
    row = LatencyRow(database, transport, "other process" if elsewhere else "same process", wake)
    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(TansuBroker()) if transport == "kafka" else None
        settings = Settings(
            database_url=url,
            migrate_on_start=False,
            transport=transport,  # type: ignore[arg-type]
            kafka_bootstrap=broker.bootstrap if broker else DEFAULTS.kafka_bootstrap,
            kafka_partitions=args.partitions,
            _env_file=None,  # type: ignore[call-arg]
        )
        hub = build(settings, subscribers=[subscriber])
        await _empty_outbox(hub.db)
        runtime = EventRuntime(hub)
        runtime.start()
        try:
            # Until the first event arrives (a Kafka consumer group takes seconds to form), then a few more.
            await _warm_up(hub.uow, entered)
            committed = (
                await produce_elsewhere(url, args.latency_events, args.rate, seed)
                if elsewhere
                else await produce(hub.uow, args.latency_events, args.rate, seed)
            )
            deadline = time.monotonic() + 30
            while not committed.keys() <= entered.keys() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            row.load = os.getloadavg()[0]
        finally:
            await runtime.close()
            await hub.close()
    row.latencies = [max(0.0, entered[e] - at) for e, at in committed.items() if e in entered]
    row.missing = len(committed) - len(row.latencies)
    return row


async def _warm_up(uow: Callable[[], SqlUnitOfWork], entered: dict[str, float]) -> None:
    deadline = time.monotonic() + 60
    while not entered:
        if time.monotonic() > deadline:
            raise RuntimeError("no event reached the subscriber within 60 s")
        await produce(uow, 1, 10, seed=0)
        await asyncio.sleep(0.1)
    warm = await produce(uow, 20, 100, seed=1)
    while not warm.keys() <= entered.keys():
        await asyncio.sleep(0.02)


async def kafka_round_trip(args: argparse.Namespace) -> LatencyRow:
    """The broker's own share: a bare producer (the relay's settings) to a bare consumer group.

    Timed from the producer's acknowledgement to the consumer receiving the message, at
    the same rate; the consumer has aiokafka's defaults, as the hub's faststream
    subscribers do (``fetch_max_wait_ms=500``).
    """
    row = LatencyRow("—", "kafka", "bare aiokafka", "consumer fetch")
    received: dict[bytes, float] = {}
    acknowledged: dict[bytes, float] = {}
    with TansuBroker() as broker:
        await ensure_topics(broker.bootstrap, [BARE_TOPIC], args.partitions)
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, client_id="bench-bare", **PRODUCER_OPTIONS)
        consumer = AIOKafkaConsumer(
            BARE_TOPIC, bootstrap_servers=broker.bootstrap, group_id="bench-round-trip", auto_offset_reset="earliest"
        )
        await producer.start()
        await consumer.start()

        async def consume() -> None:
            async for message in consumer:
                received.setdefault(message.value or b"", time.monotonic())

        async def send(count: int, rate: float) -> list[bytes]:
            values, next_at = [], time.monotonic()
            for i in range(count):
                if (delay := next_at - time.monotonic()) > 0:
                    await asyncio.sleep(delay)
                next_at += 1 / rate
                value = uuid.uuid4().bytes.hex().encode().ljust(430, b" ")
                await producer.send_and_wait(BARE_TOPIC, value, key=f"SKU-{i % 3000:05d}".encode())
                acknowledged[value] = time.monotonic()
                values.append(value)
            return values

        consuming = asyncio.create_task(consume())
        try:
            deadline = time.monotonic() + 60
            while not received and time.monotonic() < deadline:  # the group forms
                await send(1, 10)
                await asyncio.sleep(0.1)
            warm = await send(20, 100)
            while not set(warm) <= received.keys() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            acknowledged.clear()
            sent = await send(args.latency_events, args.rate)
            deadline = time.monotonic() + 30
            while not set(sent) <= received.keys() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            row.load = os.getloadavg()[0]
        finally:
            consuming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consuming
            await consumer.stop()
            await producer.stop()
    row.latencies = [max(0.0, received[v] - acknowledged[v]) for v in sent if v in received]
    row.missing = len(sent) - len(row.latencies)
    return row


async def _empty_outbox(db: Database) -> None:
    async with db.writing() as conn:
        await conn.execute(delete(t.outbox))


# -- databases ------------------------------------------------------------------------------------------------


async def _postgres_version(db: Database) -> str:
    async with db.engine.connect() as conn:
        version_ = await conn.scalar(text("SHOW server_version"))
        sync = await conn.scalar(text("SHOW synchronous_commit"))
    return f"PostgreSQL {version_} (synchronous_commit={sync})"


async def bench_database(
    name: str, url: str, rows: list[dict[str, Any]], args: argparse.Namespace
) -> tuple[list[ThroughputRow], list[LatencyRow]]:
    await upgrade_async(url)
    db = open_database(url)
    try:
        if name == "PostgreSQL":
            console.print(await _postgres_version(db))
        throughputs = [] if args.skip_throughput else await throughput(name, db, rows, args)
    finally:
        await db.dispose()
    latencies: list[LatencyRow] = []
    if not args.skip_latency:
        for transport in ("local", "kafka"):
            for elsewhere in (False, True):
                where = "another process" if elsewhere else "this process"
                console.print(f"  {name}, {transport} transport, producer in {where} …", style="dim")
                seed = len(latencies) + (100 if name == "PostgreSQL" else 0)
                latencies.append(await latency(name, url, transport, elsewhere, args, seed))
    return throughputs, latencies


# -- report ---------------------------------------------------------------------------------------------------


def environment() -> str:
    tansu = os.popen(f"{tansu_binary()} --version").read().strip()
    packages = ", ".join(f"{p} {version(p)}" for p in ("aiokafka", "faststream", "asyncpg", "aiosqlite"))
    return (
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"{packages}, {tansu}; {platform.machine()}, {os.cpu_count()} CPUs"
    )


def _load() -> str:
    return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"


def report(
    throughputs: list[ThroughputRow], latencies: list[LatencyRow], args: argparse.Namespace, size: float
) -> None:
    """The tables; ``size`` is the mean size of a message in bytes."""
    if throughputs:
        table = Table("database", "batch", "bare producer ev/s", "relay ev/s", "relay ÷ bare", "per round", "load")
        table.title = (
            f"Relay throughput: {args.events:,} outbox rows (stock.level_changed, ~{size:.0f} B) → Kafka, "
            f"{args.partitions} partitions, acks=all; {args.rounds} round(s), a fresh broker each"
        )
        for row in throughputs:
            table.add_row(
                row.database,
                f"{row.batch_size:,}",
                f"{row.rate(row.bare):,.0f}",
                f"{row.rate(row.relay):,.0f}",
                f"{row.ratio:.2f}",
                " ".join(f"{r:.2f}" for r in row.ratios),
                " ".join(f"{d.load:.1f}" for d in row.relay),
                style="bold" if row.batch_size == DEFAULTS.relay_batch_size else None,
            )
        console.print(table)
        console.print(
            "relay ÷ bare: events/s of the relay (read the outbox, publish, wait for acks, mark published) over "
            "events/s of a bare aiokafka producer sending the same messages the same way to the same broker.\n"
            "per round: that ratio in each round; load: 1-min load average at the end of each relay drain."
        )
        table = Table("database", "batch", "side", "wall s", "this process", "broker", "PostgreSQL", "CPUs busy")
        table.title = "Where the CPU went: CPU seconds per drain of all the rows (mean of the rounds)"
        for row in throughputs:
            for side, drains in (("bare", row.bare), ("relay", row.relay)):
                wall = statistics.mean(d.seconds for d in drains)
                cpu = [
                    statistics.mean(d.cpu.process for d in drains),
                    statistics.mean(d.cpu.broker for d in drains),
                    statistics.mean(d.cpu.database for d in drains),
                ]
                table.add_row(
                    row.database if side == "bare" else "",
                    f"{row.batch_size:,}" if side == "bare" else "",
                    side,
                    f"{wall:.2f}",
                    *(f"{c:.2f}" for c in cpu[:2]),
                    f"{cpu[2]:.2f}" if row.database == "PostgreSQL" else "",
                    f"{sum(cpu) / wall:.2f}",
                )
            table.add_section()
        console.print(table)
        console.print(
            "this process: the benchmark's Python process, all threads (the relay or the bare producer, and "
            "aiosqlite's thread); broker: the Tansu process; PostgreSQL: the server's backends for the scratch "
            f"database. CPUs busy = their sum ÷ wall time, out of {os.cpu_count()}."
        )
    if latencies:
        table = Table("database", "transport", "producer", "woken by", "events", "p50 ms", "p99 ms", "max ms", "load")
        table.title = (
            f"Commit → handler latency: {args.latency_events:,} single changes at {args.rate:g}/s, "
            "from uow.commit() returning to the subscriber's handler being called"
        )
        for entry in latencies:
            missing = f" ({entry.missing} missing)" if entry.missing else ""
            table.add_row(
                entry.database,
                entry.transport,
                entry.producer,
                entry.wake,
                f"{len(entry.latencies):,}{missing}",
                f"{entry.percentile(50):.1f}",
                f"{entry.percentile(99):.1f}",
                f"{max(entry.latencies, default=float('nan')) * 1000:.1f}",
                f"{entry.load:.1f}",
            )
        console.print(table)
        console.print(
            "bare aiokafka: the broker's own share on the kafka transport — a message timed from its producer's "
            "acknowledgement to a plain consumer group receiving it."
        )


async def main(args: argparse.Namespace) -> None:
    console.print(environment())
    console.print(f"At start: {_load()}")
    console.print(f"Building {args.events:,} outbox rows over {args.skus:,} SKUs …", style="dim")
    rows = outbox_rows(args.events, args.skus)
    size = statistics.mean(len(row["message"]) for row in rows[:1000])
    throughputs: list[ThroughputRow] = []
    latencies: list[LatencyRow] = []
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        found = await bench_database("SQLite", f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", rows, args)
        throughputs += found[0]
        latencies += found[1]
    console.print(f"After SQLite: {_load()}")
    async with scratch_postgres(args.postgres_url, console) as url:
        if url is not None:
            found = await bench_database("PostgreSQL", url, rows, args)
            throughputs += found[0]
            latencies += found[1]
    if not args.skip_latency:
        console.print("  bare Kafka round trip …", style="dim")
        latencies.append(await kafka_round_trip(args))
    console.print(f"At end: {_load()}")
    report(throughputs, latencies, args, size)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Outbox relay throughput vs a bare Kafka producer; event latency.")
    parser.add_argument("--events", type=int, default=100_000, help="outbox rows per drain (default 100000)")
    parser.add_argument(
        "--batch-sizes",
        default=f"{DEFAULTS.relay_batch_size},5000",
        help=f"relay batch sizes, comma separated (default {DEFAULTS.relay_batch_size},5000)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="drains per batch size and database (default 2)")
    parser.add_argument("--skus", type=int, default=3000, help="SKUs the events spread over (default 3000)")
    parser.add_argument(
        "--partitions", type=int, default=DEFAULTS.kafka_partitions, help="partitions per topic (default: settings)"
    )
    parser.add_argument("--latency-events", type=int, default=1000, help="events per latency row (default 1000)")
    parser.add_argument("--rate", type=float, default=200.0, help="commits per second in latency rows (default 200)")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help=f"server to create the scratch database on (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--skip-throughput", action="store_true", help="latency rows only")
    parser.add_argument("--skip-latency", action="store_true", help="throughput rows only")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="cProfile the first relay drain of each row; stats into DIR"
    )
    parser.add_argument("--produce", help=argparse.SUPPRESS)  # internal: the other-process producer
    args = parser.parse_args()
    if args.produce:
        return args
    args.batch_sizes = [int(size) for size in args.batch_sizes.split(",")]
    if args.events < 1 or args.rounds < 1 or args.rate <= 0 or args.latency_events < 1 or min(args.batch_sizes) < 1:
        parser.error("--events, --rounds, --latency-events, --rate and the batch sizes must be positive")
    return args


if __name__ == "__main__":
    arguments = _arguments()
    if arguments.produce:
        asyncio.run(_produce_main(json.loads(arguments.produce)))
    else:
        asyncio.run(main(arguments))
