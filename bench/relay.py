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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import sqlalchemy
from _latency import (
    STAGES_KAFKA,
    STAGES_LOCAL,
    Clock,
    Commits,
    Latency,
    Sustained,
    Trial,
    backlog_growth,
    closed_loop,
    elsewhere,
    load,
    open_loop,
    produce_main,
    stage_times,
    stock_catalogue,
)
from _scratch import add_postgres_url, scratch_postgres
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
from hub.outbox.kafka import ALL_TOPICS, PRODUCER_OPTIONS, KafkaPublisher, consumer_options, ensure_topics
from hub.outbox.relay import Relay
from hub.outbox.runtime import EventRuntime
from hub.outbox.subscribers import Delivered, Subscriber, topic_of
from hub.outbox.tansu import TansuBroker, tansu_binary

__all__ = ["main"]

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

#: Setups of the latency mode: (database, transport, commits from another process).
SETUPS: dict[str, tuple[str, str, bool]] = {
    "sqlite-local": ("SQLite", "local", False),
    "pg-local": ("PostgreSQL", "local", False),
    "pg-kafka": ("PostgreSQL", "kafka", False),
    "pg-kafka-other": ("PostgreSQL", "kafka", True),
}


async def latency(setup: str, url: str, args: argparse.Namespace, seed: int) -> Latency:
    """The sustainable rate of one setup, then commit → handler latency at half of it."""
    database, transport, other = SETUPS[setup]
    clock = Clock()

    async def handler(delivered: Delivered, uow: SqlUnitOfWork) -> None:
        clock.enter(delivered.envelope.event_id)

    subscriber = Subscriber.of(f"bench-latency-{seed}", handler, [StockLevelChanged.type])
    if not other:
        wake = "commit signal" + ("" if database == "SQLite" else " + NOTIFY")
    else:
        wake = f"poll ({DEFAULTS.poll_interval:g} s)" if database == "SQLite" else "NOTIFY"
    row = Latency(setup, database, transport, "other process" if other else "same process", wake)
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
        await stock_catalogue(hub.uow)
        await _empty_outbox(hub.db)
        runtime = EventRuntime(hub, trace=clock)
        runtime.start()

        async def closed(seconds: float, seed: int) -> Commits:
            if other:
                spec = {"mode": "closed", "seconds": seconds, "concurrency": args.concurrency, "seed": seed}
                return await elsewhere(url, spec)
            return await closed_loop(hub.uow, seconds, args.concurrency, seed)

        async def opened(rate: float, count: int, seed: int) -> Commits:
            if other:
                return await elsewhere(url, {"mode": "open", "rate": rate, "count": count, "seed": seed})
            return await open_loop(hub.uow, rate, count, seed)

        try:
            await _warm_up(hub.uow, clock)
            if args.rate is None:
                console.print(f"    {setup}: sustainable rate …", style="dim")
                row.sustained = await sustain(closed, opened, clock, args, seed)
                row.rate = row.sustained.rate / 2
            else:
                row.rate = args.rate
            console.print(f"    {setup}: latency at {row.rate:,.0f}/s …", style="dim")
            clock.reset()
            # At least 200 events, at most ~30 s of them (unless more were asked for).
            count = args.latency_events if args.rate else min(args.latency_events, max(200, round(row.rate * 30)))
            cpu = time.process_time()
            commits = await opened(row.rate, count, seed + 50)
            await clock.handled(commits, 60)
            row.cpu = (time.process_time() - cpu) / max(1, len(commits.at))
            row.load = load()
        finally:
            await runtime.close()
            await hub.close()
    row.latencies = [max(0.0, clock.entered[e] - at) for e, at in commits.at.items() if e in clock.entered]
    row.missing = len(commits.at) - len(row.latencies)
    row.waits = commits.waits
    row.stages = stage_times(transport, commits, clock)
    return row


async def sustain(
    closed: Callable[[float, int], Awaitable[Commits]],
    opened: Callable[[float, int, int], Awaitable[Commits]],
    clock: Clock,
    args: argparse.Namespace,
    seed: int,
) -> Sustained:
    """The highest open-loop rate whose backlog does not grow, searched below the closed-loop probe's.

    The probe gives the most the committers can commit while the pipeline runs; what the
    pipeline handled meanwhile is no bound (committers queued at every lock it needs
    starve it), so the rate is bisected between nothing and the probe's commit rate.
    """
    clock.reset()
    probe = await closed(args.window, seed + 10)
    if not await clock.handled(probe, 300):
        raise RuntimeError("the pipeline did not catch up within 300 s of the closed-loop probe")
    span = probe.ended - probe.started
    steady = probe.started + span / 3  # the pipeline's rate once it is busy, not while it fills
    handled = sum(1 for e in probe.at if steady <= clock.entered[e] <= probe.ended)
    sustained = Sustained(len(probe.at) / span, handled / (probe.ended - steady))
    good, bad, rate = 0.0, sustained.probe_commits, sustained.probe_commits
    for attempt in range(args.trials):
        clock.reset()
        commits = await opened(rate, max(20, round(rate * args.window)), seed + 20 + attempt)
        caught_up = await clock.handled(commits, 300)
        middle, end = backlog_growth(commits, clock.entered)
        # Growing backlog: more than 5 % of the arrivals over the second half, plus
        # 100 ms of arrivals for the bursts a batch makes.
        kept = caught_up and end - middle <= 0.05 * rate * args.window / 2 + 0.1 * rate + 2
        sustained.trials.append(Trial(rate, middle, end, kept))
        if kept and rate >= sustained.probe_commits:
            break  # the pipeline keeps up with everything the committers can make
        good, bad = (rate, bad) if kept else (good, rate)
        rate = (good + bad) / 2
    return sustained


async def _warm_up(uow: Callable[[], SqlUnitOfWork], clock: Clock) -> None:
    """Until the first event arrives (a Kafka consumer group takes seconds to form), then a few more."""
    deadline = time.monotonic() + 60
    while not clock.entered:
        if time.monotonic() > deadline:
            raise RuntimeError("no event reached the subscriber within 60 s")
        await open_loop(uow, 10, 1, seed=0)
        await asyncio.sleep(0.1)
    warm = await open_loop(uow, 100, 20, seed=1)
    if not await clock.handled(warm, 60):
        raise RuntimeError("the warm-up events did not reach the subscriber within 60 s")


async def kafka_round_trip(args: argparse.Namespace, rate: float) -> Latency:
    """The broker's own share: a bare producer (the relay's settings) to a bare consumer group
    with the hub's consumer settings, timed from the producer's acknowledgement to the
    consumer receiving the message, at ``rate``."""
    row = Latency("bare aiokafka", "—", "kafka", "bare aiokafka", "consumer fetch", rate=rate)
    received: dict[bytes, float] = {}
    acknowledged: dict[bytes, float] = {}
    with TansuBroker() as broker:
        await ensure_topics(broker.bootstrap, [BARE_TOPIC], args.partitions)
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, client_id="bench-bare", **PRODUCER_OPTIONS)
        consumer = AIOKafkaConsumer(
            BARE_TOPIC,
            bootstrap_servers=broker.bootstrap,
            group_id="bench-round-trip",
            auto_offset_reset="earliest",
            **consumer_options(DEFAULTS),
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
            sent = await send(args.latency_events, rate)
            deadline = time.monotonic() + 30
            while not set(sent) <= received.keys() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            row.load = load()
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
) -> tuple[list[ThroughputRow], list[Latency]]:
    await upgrade_async(url)
    db = open_database(url)
    try:
        if name == "PostgreSQL":
            console.print(await _postgres_version(db))
        throughputs = [] if args.skip_throughput else await throughput(name, db, rows, args)
    finally:
        await db.dispose()
    latencies: list[Latency] = []
    if not args.skip_latency:
        for setup in args.setups:
            if SETUPS[setup][0] == name:
                console.print(f"  {setup} …", style="dim")
                seed = 100 * (list(SETUPS).index(setup) + 1)
                latencies.append(await latency(setup, url, args, seed))
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


def report(throughputs: list[ThroughputRow], latencies: list[Latency], args: argparse.Namespace, size: float) -> None:
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
        report_latency(latencies, args)


def report_latency(latencies: list[Latency], args: argparse.Namespace) -> None:
    sustained = [row for row in latencies if row.sustained is not None]
    if sustained:
        table = Table("setup", "woken by", "probe commits/s", "probe handled/s", "bound", "tried (backlog mid→end)")
        table.add_column("sustainable /s", style="bold")
        table.title = (
            f"Sustainable commit rate: stock counts of one SKU, {args.concurrency} committers closed loop for "
            f"{args.window:g} s, then open-loop trials bisecting for the highest rate whose backlog does not grow"
        )
        for row in sustained:
            assert row.sustained is not None
            tried = "; ".join(
                f"{t.rate:,.0f}/s {t.middle:.0f}→{t.end:.0f} {'kept' if t.kept else 'grows'}"
                for t in row.sustained.trials
            )
            table.add_row(
                row.setup,
                row.wake,
                f"{row.sustained.probe_commits:,.0f}",
                f"{row.sustained.probe_handled:,.0f}",
                row.sustained.bound,
                tried,
                f"{row.sustained.rate:,.0f}",
            )
        console.print(table)
        console.print(
            "probe: commits/s the committers made and events/s that reached the handler over the probe's last two "
            "thirds; bound: which of the two was smaller.\ntried: open-loop rates, with the backlog (committed, "
            "not yet handled) at the window's middle and end; kept when it grew by no more than 5 % of the "
            "arrivals plus 100 ms of them."
        )
    table = Table(
        "setup",
        "rate /s",
        "events",
        "commit wait p99",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "÷ bare p99",
        "CPU ms/event",
        "load",
    )
    table.title = (
        "Commit → handler latency at half the sustainable rate (open loop): from uow.commit() returning to the "
        "subscriber's handler being entered" + ("" if args.rate is None else f" — at {args.rate:g}/s as asked")
    )
    bare = next((row for row in latencies if row.database == "—"), None)
    for row in latencies:
        missing = f" ({row.missing} missing)" if row.missing else ""
        versus = (
            f"{row.percentile(99) / bare.percentile(99):.1f}"
            if bare is not None and row.transport == "kafka" and row is not bare
            else ""
        )
        table.add_row(
            row.setup,
            f"{row.rate:,.0f}",
            f"{len(row.latencies):,}{missing}",
            f"{row.percentile(99, row.waits):.1f}" if row.waits else "",
            f"{row.percentile(50):.1f}",
            f"{row.percentile(95):.1f}",
            f"{row.percentile(99):.1f}",
            f"{max(row.latencies, default=float('nan')) * 1000:.1f}",
            versus,
            f"{row.cpu * 1000:.1f}" if row.cpu else "",
            f"{row.load:.1f}",
        )
    console.print(table)
    console.print(
        "commit wait: ms from a commit's scheduled start to its commit returning (queueing to commit). "
        "bare aiokafka: the broker's own share — a message timed from its producer's acknowledgement to a plain "
        "consumer group (the hub's consumer settings) receiving it, at the pg-kafka rate; ÷ bare p99: a kafka "
        "row's p99 over the bare one's. CPU ms/event: this process's CPU time (all threads) over the run ÷ changes "
        "committed (the committers' share too, unless they run in another process)."
    )
    for transport, stages in (("kafka", STAGES_KAFKA), ("local", STAGES_LOCAL)):
        rows = [row for row in latencies if row.transport == transport and row.stages]
        if not rows:
            continue
        table = Table("setup", *stages)
        table.title = f"Where the time goes, {transport} transport: ms per event in each stage, p50 / p99"
        for row in rows:
            cells = [
                f"{row.percentile(50, row.stages[s]):.1f} / {row.percentile(99, row.stages[s]):.1f}" for s in stages
            ]
            table.add_row(row.setup, *cells)
        console.print(table)
    console.print(
        "kafka: commit→wake: until the relay woke for the event (0 when it was busy and read it straight on); "
        "wake→read: checkout and read, or waiting behind the batch before; read→acked: producing, linger and "
        "acks=all; acked→fetched: until the consumer handed the message to the subscriber (broker fetch wait, "
        "the message before); fetched→handler: decode, inbox claim; acked→marked: the mark, beside the path.\n"
        "local: the subscriber's dispatcher wakes, reads the outbox, hands each row to the handler; "
        "relay read→marked: the relay's mark of the same rows (a write beside the path)."
    )


async def main(args: argparse.Namespace) -> None:
    console.print(environment())
    console.print(f"At start: {_load()}")
    console.print(f"Building {args.events:,} outbox rows over {args.skus:,} SKUs …", style="dim")
    rows = [] if args.skip_throughput else outbox_rows(args.events, args.skus)
    size = statistics.mean(len(row["message"]) for row in rows[:1000]) if rows else 0.0
    throughputs: list[ThroughputRow] = []
    latencies: list[Latency] = []
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
    kafka = [row for row in latencies if row.setup == "pg-kafka"] or [r for r in latencies if r.transport == "kafka"]
    if kafka:
        console.print("  bare Kafka round trip …", style="dim")
        latencies.append(await kafka_round_trip(args, kafka[0].rate))
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
    parser.add_argument(
        "--rate", type=float, help="commits per second in latency rows (default: half the sustainable rate)"
    )
    parser.add_argument(
        "--setups",
        default=",".join(SETUPS),
        help=f"latency setups, comma separated (default {','.join(SETUPS)})",
    )
    parser.add_argument("--window", type=float, default=6.0, help="seconds of each sustainable-rate trial (default 6)")
    parser.add_argument("--trials", type=int, default=5, help="open-loop trials of the rate search (default 5)")
    parser.add_argument("--concurrency", type=int, default=4, help="committers of the closed-loop probe (default 4)")
    add_postgres_url(parser)
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
    args.setups = [setup.strip() for setup in args.setups.split(",") if setup.strip()]
    if unknown := set(args.setups) - SETUPS.keys():
        parser.error(f"unknown setups {sorted(unknown)}; known: {', '.join(SETUPS)}")
    if args.events < 1 or args.rounds < 1 or args.latency_events < 1 or min(args.batch_sizes) < 1:
        parser.error("--events, --rounds, --latency-events and the batch sizes must be positive")
    if (args.rate is not None and args.rate <= 0) or args.window <= 0 or args.concurrency < 1:
        parser.error("--rate, --window and --concurrency must be positive")
    return args


if __name__ == "__main__":
    arguments = _arguments()
    if arguments.produce:
        asyncio.run(produce_main(json.loads(arguments.produce)))
    else:
        asyncio.run(main(arguments))
