"""Noticing a Kafka consumer that holds partitions but no longer hands their records over.

aiokafka fetches in a background task of each consumer, and ``getone()`` waits for that
task's results without looking at whether the task is still alive: if it ends on an
unexpected error (aiokafka logs "Unexpected error in fetcher routine" once), the consumer
goes on heartbeating, so the group leaves it its partitions, and nothing more arrives
from them — no other member can take them over. faststream restarts its own consume
loop when it fails, but not aiokafka's fetcher.

So every subscriber notes when it last received or finished a message
(:class:`Progress`), and :func:`stalled` names those whose consumers have records
waiting on their partitions but have handed none over for a while; the event runtime
then starts the consumers afresh (a new consumer rejoins the group and fetches from the
committed offsets, so nothing is lost and the inbox drops what comes twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from aiokafka.errors import IllegalStateError, KafkaError
from faststream.kafka import KafkaBroker

__all__ = ["Progress", "stalled", "stop_consumers"]

log = logging.getLogger("hub.kafka")


class Progress:
    """When each subscriber last received a message or finished one, and whether it is in one."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._last: dict[str, float] = {}
        self._handling: Counter[str] = Counter()

    @contextlib.contextmanager
    def handling(self, name: str) -> Iterator[None]:
        self._handling[name] += 1
        self._last[name] = time.monotonic()
        try:
            yield
        finally:
            self._handling[name] -= 1
            self._last[name] = time.monotonic()

    def idle(self, name: str) -> float:
        """Seconds since ``name`` last received or finished a message; 0 while it handles one.

        A handler that takes long (its retries back off up to 30 s each) is busy, not stalled.
        """
        if self._handling[name]:
            return 0.0
        return time.monotonic() - self._last.get(name, self._started)


async def stalled(broker: KafkaBroker, progress: Progress, *, after: float, timeout: float = 5.0) -> list[str]:
    """The subscribers idle for ``after`` seconds whose consumers hold partitions with records
    past their position.

    Consumer groups are ``hub.<name>``. A broker that does not answer (frozen, restarting)
    makes nobody stalled: its consumers cannot fetch, and will once it is back. A position
    that stays unknown while the broker answers counts as stalled: positions are found by
    the same background task that fetches.
    """
    names: list[str] = []
    for subscriber in broker.subscribers:
        group: str | None = getattr(subscriber, "group_id", None)
        consumer: Any = getattr(subscriber, "consumer", None)
        if not group or consumer is None:
            continue
        name = group.removeprefix("hub.")
        partitions = list(consumer.assignment())
        if not partitions or progress.idle(name) < after:
            continue
        try:
            ends = await asyncio.wait_for(consumer.end_offsets(partitions), timeout)
        except (KafkaError, TimeoutError):
            continue
        for partition in partitions:
            try:
                position = await asyncio.wait_for(consumer.position(partition), timeout)
            except IllegalStateError:  # revoked meanwhile: a rebalance is going on
                continue
            except TimeoutError:
                position = -1
            if ends.get(partition, 0) > position:
                names.append(name)
                break
    return names


async def stop_consumers(broker: KafkaBroker) -> None:
    """``broker.stop()``, all of it even when a consumer's fetcher has died.

    aiokafka's ``stop()`` re-raises the error that ended the fetcher before it closes the
    consumer's connections (it has already left the group by then), and faststream then
    skips the rest of its own stop: close those connections, and stop again (what stopped
    stays stopped; the rest stops this time).
    """
    consumers = [consumer for sub in broker.subscribers if (consumer := getattr(sub, "consumer", None)) is not None]
    try:
        await broker.stop()
    except Exception as error:
        log.warning("Kafka consumers stopped with an error: %r", error)
        for consumer in consumers:
            with contextlib.suppress(Exception):
                await consumer._client.close()  # what aiokafka's stop() did not reach
        await broker.stop()
