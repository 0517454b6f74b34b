"""Prometheus metrics of the event machinery.

Counters are kept in-process as things happen; gauges that describe the database
(outbox backlog, dead letters, local consumer lag) are read from it at scrape time,
so every process reports the same truth (:mod:`hub.ops.scrape`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker

__all__ = ["Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_published = Counter(
            "hub_events_published",
            "Outbox events published by the relay in this process; "
            "events published per second: rate(hub_events_published_total[1m])",
            registry=self.registry,
        )
        self.events_consumed = Counter(
            "hub_events_consumed",
            "Events handled by subscribers, by outcome (applied, duplicate, skipped, dead)",
            ["subscriber", "outcome"],
            registry=self.registry,
        )
        #: The broker whose Kafka consumers run in this process, while they run: the
        #: Kafka transport sets it after starting them and clears it when it stops
        #: them, and ``/metrics`` then reports their lag.
        self.kafka_broker: KafkaBroker | None = None

    def published(self, count: int) -> None:
        self.events_published.inc(count)

    def consumed(self, subscriber: str, outcome: str) -> None:
        self.events_consumed.labels(subscriber=subscriber, outcome=outcome).inc()
