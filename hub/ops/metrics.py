"""Prometheus metrics of the event machinery.

Counters are kept in-process as things happen; gauges that describe the database
(outbox backlog, dead letters, local consumer lag) are read from it at scrape time,
so every process reports the same truth.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

__all__ = ["Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_published = Counter(
            "hub_events_published", "Outbox events published by the relay", registry=self.registry
        )
        self.events_consumed = Counter(
            "hub_events_consumed",
            "Events handled by subscribers, by outcome (applied, duplicate, skipped, dead)",
            ["subscriber", "outcome"],
            registry=self.registry,
        )

    def published(self, count: int) -> None:
        self.events_published.inc(count)

    def consumed(self, subscriber: str, outcome: str) -> None:
        self.events_consumed.labels(subscriber=subscriber, outcome=outcome).inc()
