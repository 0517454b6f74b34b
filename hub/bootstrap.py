"""The one place that wires adapters together: database, units of work, key store,
event delivery, connectors.

Everything that runs the hub — the API, the CLI, tests, benchmarks — builds a
:class:`Hub` here, so they all run the same code over the same wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from hub.config import Settings
from hub.connectors.sdk.base import ConnectorEnv
from hub.connectors.sdk.secrets import SecretBox, secret_box_for
from hub.connectors.service import ConnectorService
from hub.db.budgets import SqlBudgets
from hub.db.engine import Database, open_database
from hub.db.keys import ApiKeyStore
from hub.db.migrate import upgrade_async
from hub.db.reads import Reads
from hub.db.uow import UnitOfWorkFactory
from hub.db.work_queue import WorkQueue
from hub.ops.metrics import Metrics
from hub.outbox.delivery import Delivery
from hub.outbox.subscribers import Subscriber

__all__ = ["Hub", "build", "default_subscribers", "installed_subscribers"]


@dataclass
class Hub:
    settings: Settings
    db: Database
    uow: UnitOfWorkFactory
    keys: ApiKeyStore
    delivery: Delivery
    connectors: ConnectorService
    work: WorkQueue
    #: The storefront read path (stock and catalogue on one connection, see hub.db.reads).
    reads: Reads
    #: The subscribers this hub runs, by name.
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)

    async def migrate(self) -> None:
        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        await self.keys.close()
        await self.reads.close()
        await self.db.dispose()


def build(settings: Settings, *, subscribers: Iterable[Subscriber] = ()) -> Hub:
    """Wire a hub. ``subscribers`` are the event handlers it runs (``hub worker``, ``hub serve``)."""
    db = open_database(settings.database_url, pool_size=settings.db_pool_size)
    box = _secret_box(settings)
    uows = UnitOfWorkFactory(db, tenant=settings.tenant, base_currency=settings.currency, box=box)
    metrics = Metrics()
    delivery = Delivery(
        uows,
        max_attempts=settings.consumer_max_attempts,
        retry_delay=settings.consumer_retry_delay,
        on_outcome=metrics.consumed,
    )
    named = {subscriber.name: subscriber for subscriber in subscribers}
    reads = Reads(db, pool_size=settings.db_pool_size)
    env = ConnectorEnv(uows=uows, currency=settings.currency, budgets=SqlBudgets(db), reads=reads)
    return Hub(
        settings=settings,
        db=db,
        uow=uows,
        keys=ApiKeyStore(db),
        delivery=delivery,
        connectors=ConnectorService(env, box, db=db, uows=uows),
        work=WorkQueue(db),
        reads=reads,
        subscribers=named,
        metrics=metrics,
    )


def _secret_box(settings: Settings) -> Callable[[], SecretBox]:
    """The box connector configs are sealed with, made when first needed."""
    made: list[SecretBox] = []

    def box() -> SecretBox:
        if not made:
            key = settings.secret_key.get_secret_value() if settings.secret_key else None
            url = make_url(settings.database_url)
            path = url.database if url.get_backend_name() == "sqlite" else None
            old = settings.secret_key_old.get_secret_value().split(",") if settings.secret_key_old else []
            made.append(secret_box_for(key, path, [k.strip() for k in old if k.strip()]))
        return made[0]

    return box


def default_subscribers(settings: Settings) -> list[Subscriber]:
    """What a running hub subscribes: the connectors' fan-out and installed subscribers."""
    from hub.connectors.fanout import connectors_subscriber

    fan_out = connectors_subscriber()
    return ([fan_out] if fan_out is not None else []) + installed_subscribers(settings)


def installed_subscribers(settings: Settings) -> list[Subscriber]:
    """The subscribers installed packages provide (entry point group ``hub.subscribers``).

    Each entry point names a callable taking the settings and returning subscribers.
    """
    from importlib.metadata import entry_points

    found: list[Subscriber] = []
    for entry in entry_points(group="hub.subscribers"):
        found.extend(entry.load()(settings))
    return found
