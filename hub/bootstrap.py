"""The one place that wires adapters together: database, units of work, key store.

Everything that runs the hub — the API, the CLI, tests, benchmarks — builds a
:class:`Hub` here, so they all run the same code over the same wiring.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.config import Settings
from hub.db.engine import Database, open_database
from hub.db.keys import ApiKeyStore
from hub.db.migrate import upgrade_async
from hub.db.uow import UnitOfWorkFactory

__all__ = ["Hub", "build"]


@dataclass
class Hub:
    settings: Settings
    db: Database
    uow: UnitOfWorkFactory
    keys: ApiKeyStore

    async def migrate(self) -> None:
        await upgrade_async(self.settings.database_url)

    async def close(self) -> None:
        await self.db.dispose()


def build(settings: Settings) -> Hub:
    db = open_database(settings.database_url, pool_size=settings.db_pool_size)
    return Hub(
        settings=settings,
        db=db,
        uow=UnitOfWorkFactory(db, tenant=settings.tenant),
        keys=ApiKeyStore(db),
    )
