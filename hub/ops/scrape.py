"""What ``/metrics`` answers: this process's counters, and gauges read at scrape time.

    hub_events_published_total                     counter, this process (the relay)
    hub_events_consumed_total{subscriber,outcome}  counter, this process (subscribers)
    hub_outbox_backlog_rows                        ┐
    hub_outbox_oldest_unpublished_age_seconds      │ gauges read from the database:
    hub_outbox_last_seq                            │ every process reports the same
    hub_dead_letters_pending{subscriber}           ┘
    hub_consumer_lag{subscriber}                   gauge; what it measures depends on the transport
    hub_connector_needs_reauth{connector}          gauge, 1 while an instance waits for new credentials

Consumer lag depends on the transport. ``local``: the newest outbox position minus the
subscriber's persisted cursor, for every subscriber this hub runs and every cursor in
the database. ``kafka``: Σ (highwater − position) over the partitions assigned to this
process's consumers (aiokafka's position is the next record it hands to the handler,
so records fetched but not yet handled count as lag); a process running no consumers
reports none, as the cursors of the local transport say nothing about consumer groups.
Partitions held by other workers are reported by those workers.

Each scrape costs five small queries (one of them on the unpublished-rows index).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiokafka.errors import IllegalStateError
from prometheus_client import generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

from hub.db.connectors import instance_statuses
from hub.db.outbox import backlog, cursors
from hub.outbox.deadletters import count_pending

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker

    from hub.bootstrap import Hub

__all__ = ["CONTENT_TYPE", "exposition", "kafka_lag"]

#: The Prometheus text format (the names here need nothing newer).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


async def exposition(hub: Hub) -> bytes:
    """The Prometheus text exposition of ``hub``'s metrics, as of now."""
    families = [*hub.metrics.registry.collect(), *await _gauges(hub)]
    return generate_latest(_Fixed(families))


class _Fixed:
    """A collector of metrics already read (the database is read asynchronously, before)."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def _gauges(hub: Hub) -> list[Metric]:
    outbox = await backlog(hub.db)
    pending = await count_pending(hub.db)
    names = set(hub.subscribers)
    if hub.settings.transport == "local":
        positions = await cursors(hub.db)
        lag = {name: max(0, outbox.last_seq - positions.get(name, 0)) for name in names | positions.keys()}
    elif hub.metrics.kafka_broker is not None:
        lag = await kafka_lag(hub.metrics.kafka_broker)
    else:
        lag = {}
    instances = await instance_statuses(hub.db)
    age = 0.0 if outbox.oldest is None else max(0.0, (datetime.now(UTC) - outbox.oldest).total_seconds())

    dead = GaugeMetricFamily(
        "hub_dead_letters_pending",
        "Dead letters waiting for an operator (hub dlq retry / drop), per subscriber",
        labels=["subscriber"],
    )
    for name in sorted(names | pending.keys()):
        dead.add_metric([name], pending.get(name, 0))
    consumer_lag = GaugeMetricFamily(
        "hub_consumer_lag",
        "Events a subscriber has yet to handle. local transport: newest outbox seq minus the subscriber's "
        "cursor; kafka: sum of highwater minus position over this process's assigned partitions",
        labels=["subscriber"],
    )
    for name in sorted(lag):
        consumer_lag.add_metric([name], lag[name])
    return [
        GaugeMetricFamily("hub_outbox_backlog_rows", "Outbox rows not yet published", value=outbox.rows),
        GaugeMetricFamily(
            "hub_outbox_oldest_unpublished_age_seconds",
            "Seconds since the oldest unpublished outbox row occurred (0 when none waits)",
            value=age,
        ),
        GaugeMetricFamily("hub_outbox_last_seq", "Position of the newest outbox row", value=outbox.last_seq),
        dead,
        consumer_lag,
        _needs_reauth(instances),
    ]


def _needs_reauth(instances: dict[str, str]) -> Metric:
    gauge = GaugeMetricFamily(
        "hub_connector_needs_reauth",
        "1 while a connector instance's vendor has refused its grant (invalid_grant) and its queued work "
        "waits for new credentials (hub connectors update), else 0",
        labels=["connector"],
    )
    for connector, status in instances.items():
        gauge.add_metric([connector], 1 if status == "needs_reauth" else 0)
    return gauge


async def kafka_lag(broker: KafkaBroker, *, timeout: float = 0.5) -> dict[str, int]:
    """Per hub subscriber, Σ (highwater − position) over the partitions its running consumers hold.

    Subscribers are faststream subscribers in consumer groups ``hub.<name>``. A partition
    not fetched from yet has no highwater and is left out.
    """
    lag: dict[str, int] = {}
    for subscriber in broker.subscribers:
        group: str | None = getattr(subscriber, "group_id", None)
        consumers: list[Any] = getattr(subscriber, "consumer_subgroup", None) or [getattr(subscriber, "consumer", None)]
        running = [consumer for consumer in consumers if consumer is not None]
        if not group or not running:
            continue
        total = 0
        for consumer in running:
            for partition in consumer.assignment():
                highwater = consumer.highwater(partition)
                if highwater is None:
                    continue
                # Known at once after a fetch; a partition just reassigned may have none yet.
                with contextlib.suppress(TimeoutError, IllegalStateError):
                    position = await asyncio.wait_for(consumer.position(partition), timeout)
                    total += max(0, highwater - position)
        name = group.removeprefix("hub.")
        lag[name] = lag.get(name, 0) + total
    return lag
