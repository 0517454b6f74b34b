"""The one place that wires adapters together: database, units of work, key store.

Everything that runs the hub — the API, the CLI, tests, benchmarks — builds a
:class:`Hub` here, so they all run the same code over the same wiring.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hub.config import Settings
from hub.db.engine import Database, open_database
from hub.db.keys import ApiKeyStore
from hub.db.migrate import upgrade_async
from hub.db.uow import UnitOfWorkFactory
from hub.ops.metrics import Metrics
from hub.outbox.delivery import Delivery
from hub.outbox.subscribers import Subscriber

__all__ = ["Hub", "build", "installed_subscribers"]


@dataclass
class Hub:
    settings: Settings
    db: Database
    uow: UnitOfWorkFactory
    keys: ApiKeyStore
    delivery: Delivery
    #: The subscribers this hub runs, by name.
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)

    async def migrate(self) -> None:
        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        await self.db.dispose()


def build(settings: Settings, *, subscribers: Iterable[Subscriber] = ()) -> Hub:
    """Wire a hub. ``subscribers`` are the event handlers it runs (``hub worker``, ``hub serve``)."""
    db = open_database(settings.database_url, pool_size=settings.db_pool_size)
    uows = UnitOfWorkFactory(db, tenant=settings.tenant)
    metrics = Metrics()
    delivery = Delivery(
        uows,
        max_attempts=settings.consumer_max_attempts,
        retry_delay=settings.consumer_retry_delay,
        on_outcome=metrics.consumed,
    )
    named = {subscriber.name: subscriber for subscriber in subscribers}
    return Hub(
        settings=settings,
        db=db,
        uow=uows,
        keys=ApiKeyStore(db),
        delivery=delivery,
        subscribers=named,
        metrics=metrics,
    )


def installed_subscribers(settings: Settings) -> list[Subscriber]:
    """The subscribers installed packages provide (entry point group ``hub.subscribers``).

    Each entry point names a callable taking the settings and returning subscribers.
    """
    from importlib.metadata import entry_points

    found: list[Subscriber] = []
    for entry in entry_points(group="hub.subscribers"):
        found.extend(entry.load()(settings))
    return found
