"""Running the event machinery of a hub: the relay, the subscribers, or both.

``hub relay`` runs the relay, ``hub worker`` the subscribers, ``hub serve`` both next
to the API. The transport (``HUB_TRANSPORT``) decides where the subscribers read:
the outbox table itself (``local``) or Kafka consumer groups (``kafka``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from aiokafka.errors import KafkaError

from hub.outbox.local import LocalDispatcher, LocalPublisher
from hub.outbox.relay import Publisher, Relay
from hub.outbox.signal import PgListener
from hub.outbox.trace import Trace

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker

    from hub.bootstrap import Hub
    from hub.outbox.stall import Progress

__all__ = ["EventRuntime"]

log = logging.getLogger("hub.runtime")


class EventRuntime:
    def __init__(self, hub: Hub, *, relay: bool = True, workers: bool = True, trace: Trace | None = None) -> None:
        self.hub, self.with_relay, self.with_workers = hub, relay, workers
        #: Stage timestamps for the bench (see :mod:`hub.outbox.trace`); None in a running hub.
        self.trace = trace
        self.stop = asyncio.Event()
        self.relay: Relay | None = None
        self.dispatchers: list[LocalDispatcher] = []
        self._task: asyncio.Task[None] | None = None

    # -- as a background task (hub serve) ---------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="hub-events")

    async def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except TimeoutError:
                log.warning("event runtime did not stop within %.0fs; cancelled", timeout)

    # -- in the foreground (hub relay / hub worker) ------------------------------------------

    async def run(self) -> None:
        settings, db = self.hub.settings, self.hub.db
        jobs: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [("wake", self._wake_on_stop)]
        if db.dialect == "postgresql":
            listener = PgListener(_asyncpg_dsn(db.url), db.outbox_signal)
            jobs.append(("outbox listener", lambda: listener.run(self.stop)))
        if self.with_relay:
            relay = self.relay = Relay(
                db,
                self._publisher(),
                batch_size=settings.relay_batch_size,
                poll_interval=settings.poll_interval,
                on_published=self.hub.metrics.published,
                trace=self.trace,
            )
            jobs.append(("relay", lambda: relay.run(self.stop)))
        if self.with_workers and self.hub.subscribers:
            if settings.transport == "local":
                for subscriber in self.hub.subscribers.values():
                    dispatcher = LocalDispatcher(
                        db, subscriber, self.hub.delivery, poll_interval=settings.poll_interval, trace=self.trace
                    )
                    self.dispatchers.append(dispatcher)
                    jobs.append((f"subscriber {subscriber.name}", functools.partial(dispatcher.run, self.stop)))
            else:
                jobs.append(("Kafka consumers", self._kafka_workers))
        if self.with_workers:
            jobs.append(("connector workers", self._connectors))
        tasks = [asyncio.create_task(self._supervised(name, job)) for name, job in jobs]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task

    async def _supervised(self, name: str, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``job`` until it returns or the runtime stops; an error restarts it (backing
        off), never the others. One job's error — a connection the database cut under the
        relay's leadership, say — must not end the rest: ``hub serve`` would go on answering
        HTTP with no relay and no subscribers, and a Kafka consumer it had started would
        keep its partitions in the group without handing their records to anyone."""
        delay = 0.5
        while True:
            try:
                await job()
                return
            except Exception:
                if self.stop.is_set():
                    return
                log.exception("%s stopped on an error; starting it again in %.1fs", name, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
            if self.stop.is_set():
                return
            delay = min(delay * 2, 10.0)

    async def _wake_on_stop(self) -> None:
        """The relay and dispatchers sleep until a commit or the poll interval: wake them
        when told to stop, or stopping would take up to a poll interval."""
        await self.stop.wait()
        self.hub.db.outbox_signal.notify()

    async def _connectors(self) -> None:
        """One worker per active connector instance; an instance added or removed through
        this hub's API is picked up at once, through another process's within seconds."""
        from hub.connectors.runtime import ConnectorRuntime

        settings = self.hub.settings
        runtime = ConnectorRuntime(
            self.hub.connectors, self.hub.work, refresh=settings.connector_refresh, idle=settings.poll_interval
        )
        self.hub.connectors.on_change = runtime.poke
        try:
            await runtime.run(self.stop)
        finally:
            self.hub.connectors.on_change = None

    def _publisher(self) -> Publisher:
        settings = self.hub.settings
        if settings.transport == "kafka":
            from hub.outbox.kafka import KafkaPublisher

            return KafkaPublisher(settings.kafka_bootstrap, partitions=settings.kafka_partitions)
        return LocalPublisher()

    async def _kafka_workers(self) -> None:
        from hub.outbox.kafka import ALL_TOPICS, consumer_options, ensure_topics, kafka_broker
        from hub.outbox.stall import Progress, stop_consumers

        settings = self.hub.settings
        delay = 0.5
        while not self.stop.is_set():
            progress = Progress()
            broker = kafka_broker(
                settings.kafka_bootstrap,
                self.hub.subscribers.values(),
                self.hub.delivery,
                consumer=consumer_options(settings),
                trace=self.trace,
                progress=progress,
            )
            try:
                await ensure_topics(settings.kafka_bootstrap, ALL_TOPICS, settings.kafka_partitions)
                await broker.start()
                self.hub.metrics.kafka_broker = broker
            except (KafkaError, OSError) as error:
                log.warning("workers cannot reach Kafka at %s (%s); retrying", settings.kafka_bootstrap, error)
                with contextlib.suppress(Exception):
                    await broker.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), delay)
                delay = min(delay * 2, 10.0)
                continue
            except BaseException:
                # Cancelled or failed half-way through starting: consumers already started
                # would stay in their groups, heartbeating, holding partitions nobody reads.
                with contextlib.suppress(Exception):
                    await stop_consumers(broker)
                raise
            try:
                stuck = await self._watch(broker, progress)
            finally:
                self.hub.metrics.kafka_broker = None
                await stop_consumers(broker)
            if not stuck:
                return
            delay = 0.5

    async def _watch(self, broker: KafkaBroker, progress: Progress) -> list[str]:
        """Until told to stop (then ``[]``), or until some subscriber's consumer stalls: then
        the stalled subscribers, and the caller starts every consumer afresh."""
        from hub.outbox.stall import stalled

        after = self.hub.settings.kafka_stall_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), after / 3)
                return []
            stuck = await stalled(broker, progress, after=after)
            if stuck:
                log.warning(
                    "Kafka consumers of %s hold records they have not handed over for %.0fs; starting them afresh",
                    ", ".join(stuck),
                    after,
                )
                return stuck


def _asyncpg_dsn(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
