"""What a day that does not converge leaves to read: where each missing event is, and who is stuck.

    await diagnose(day) → text   (also in the report, under "the hub after the timeout")

- the broker (Kafka days): every consumer group's state and members, its committed
  offset against the log end of each partition; every event the ``connectors``
  subscriber has not handled, found in its topic by reading the topic from the start
  (partition and offset against the group's committed offset), or said to be in none;
- PostgreSQL: the hub's sessions, what each waits on and who blocks it;
- the hub processes: where their event-handling tasks wait (each is sent SIGUSR1 and
  logs its asyncio tasks; the stacks that run through hub.outbox are kept here).

Tansu answers the admin client's OffsetFetch by closing the connection, so committed
offsets are asked as a member would ask, through a consumer of the group that does not join it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.group import MemberAssignment
from sqlalchemy import except_, select
from sqlalchemy.ext.asyncio import create_async_engine

from hub.connectors.fanout import NAME as FANOUT
from hub.connectors.fanout import connectors_subscriber
from hub.db import tables as t

if TYPE_CHECKING:
    from bench.faultday.day import Day

__all__ = ["diagnose"]


async def diagnose(day: Day) -> str:
    marks = {name: _size(day.processes.where / f"{name}.log") for name in day.processes.running}
    for process in day.processes.running.values():
        with contextlib.suppress(OSError):
            process.send_signal(signal.SIGUSR1)
    parts = []
    if day.broker is not None:
        parts.append(await _kafka_state(day.broker.bootstrap, day.database_url))
    parts.append(await _pg_activity(day.database_url))
    await asyncio.sleep(1.0)  # the processes' dumps reach their logs
    parts.append(_task_dumps(day.processes.where, marks))
    return "\n".join(parts)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _task_dumps(where: Path, marks: dict[str, int]) -> str:
    """The stacks of tasks that run through hub.outbox (consumers, relay, watch), per process."""
    lines = ["event-handling tasks (SIGUSR1):"]
    for name, mark in marks.items():
        with (where / f"{name}.log").open("rb") as log:
            log.seek(mark)
            text = log.read().decode("utf-8", "replace")
        for block in text.split("Stack for ")[1:]:
            stack = block.split("\n")
            if any("hub/outbox/" in line for line in stack):
                frames = [line.strip() for line in stack[1:] if line.strip().startswith("File ")]
                lines.append(f"  {name}: {stack[0][:120]}")
                lines += [f"      {frame}" for frame in frames[-6:]]
    return "\n".join(lines)


async def _kafka_state(bootstrap: str, database_url: str) -> str:
    lines: list[str] = []
    try:
        await asyncio.wait_for(_groups(bootstrap, lines), 30)
    except Exception as error:
        lines.append(f"groups: {error!r}")
    try:
        await asyncio.wait_for(_missing(bootstrap, database_url, lines), 60)
    except Exception as error:
        lines.append(f"missing: {error!r}")
    return "\n".join(lines)


async def _groups(bootstrap: str, lines: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        groups = sorted(g[0] for g in await admin.list_consumer_groups())
        for response in await admin.describe_consumer_groups(groups):
            for group in response.groups:
                _, group_id, state, protocol_type, protocol, members = group[:6]
                lines.append(f"group {group_id}: {state} ({protocol_type}/{protocol}), {len(members)} member(s)")
                for member in members:
                    member_id, client_id, client_host = member[0], member[1], member[2]
                    raw = member[-1]
                    try:
                        assignment = MemberAssignment.decode(raw).assignment if raw else []
                    except Exception as error:
                        assignment = [f"undecodable {error!r}"]
                    lines.append(f"  member {member_id} {client_id} {client_host}: {assignment}")
                committed = await _committed(bootstrap, group_id, consumer)
                ends = await consumer.end_offsets(list(committed)) if committed else {}
                for tp in sorted(committed):
                    lines.append(f"  {tp.topic}/{tp.partition}: committed {committed[tp]}, end {ends.get(tp)}")
    finally:
        await consumer.stop()
        await admin.close()


async def _missing(bootstrap: str, database_url: str, lines: list[str]) -> None:
    subscriber = connectors_subscriber()
    assert subscriber is not None
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            wanted = select(t.outbox.c.event_id).where(t.outbox.c.type.in_(subscriber.types))
            seen = select(t.inbox.c.event_id).where(t.inbox.c.subscriber == FANOUT)
            parked = select(t.dead_letters.c.event_id).where(t.dead_letters.c.subscriber == FANOUT)
            missing = {row[0] for row in await conn.execute(except_(wanted, seen, parked))}
    finally:
        await engine.dispose()
    lines.append(f"{len(missing)} event(s) wanted by {FANOUT} not handled")
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    found: dict[str, tuple[TopicPartition, int]] = {}
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in subscriber.topics
            for p in (consumer.partitions_for_topic(topic) or ())
        ]
        ends = await consumer.end_offsets(partitions)
        committed = await _committed(bootstrap, f"hub.{FANOUT}", consumer)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=2000)
            if not batch:
                break
            for tp, records in batch.items():
                for record in records:
                    event_id = dict(record.headers).get("event_id", b"").decode()
                    found.setdefault(event_id, (tp, record.offset))
                    if record.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
    by_partition: dict[Any, list[int]] = {}
    absent = 0
    for event_id in missing:
        where = found.get(event_id)
        if where is None:
            absent += 1
            continue
        by_partition.setdefault(where[0], []).append(where[1])
    if absent:
        lines.append(f"  {absent} not in any topic")
    for tp, offsets in sorted(by_partition.items()):
        c = committed.get(tp)
        lines.append(f"  {tp.topic}/{tp.partition}: offsets {sorted(offsets)} (committed {c}, end {ends[tp]})")


async def _committed(bootstrap: str, group_id: str, metadata: AIOKafkaConsumer) -> dict[TopicPartition, int | None]:
    """The group's committed offsets, asked as its own members ask (OffsetFetch through a
    consumer of the group that does not join it: the admin client's newer request is not
    understood by every broker)."""
    topics = sorted(t for t in await metadata.topics() if not t.startswith("__"))
    partitions = [TopicPartition(t, p) for t in topics for p in sorted(metadata.partitions_for_topic(t) or ())]
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    await reader.start()
    try:
        return {tp: await reader.committed(tp) for tp in partitions}
    finally:
        await reader.stop()


async def _pg_activity(database_url: str) -> str:
    """The hub's PostgreSQL sessions: state, what they wait on, who blocks them, their query."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    engine = create_async_engine(url.set(database="postgres"))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid) AS blockers, "
                    "now() - xact_start AS xact_age, now() - state_change AS state_age, left(query, 160) AS query "
                    "FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid() ORDER BY pid"
                ),
                {"db": url.database},
            )
            return "\n".join(["pg_stat_activity:"] + [f"  {tuple(row)}" for row in rows])
    except Exception as error:
        return f"pg_stat_activity: {error!r}"
    finally:
        await engine.dispose()
