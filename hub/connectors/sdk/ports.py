"""The unit of work a connector sees: the hub's records plus what the connector remembers.

A connector never opens a database session. It asks the factory it was lent
(:attr:`ConnectorEnv.uows <hub.connectors.sdk.base.ConnectorEnv>`) for a unit of work and
finds everything there — the canonical repositories the core handlers use, and its own
state as ports (:mod:`hub.connectors.sdk.state`, :mod:`hub.connectors.sdk.credentials`):

    async with env.uows() as uow:               # to write; env.uows.reader() to read
        binding = await uow.bindings.by_external(id, "order", gid)
        await handlers.create_sales_order(command, uow)
        await uow.work.enqueue(id, "order", [gid])
        await uow.commit()                      # records, state and events together

``hub.db`` implements it on SQLAlchemy; :mod:`hub.connectors.sdk.testing.fakes` keeps it
in memory for a connector's unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from hub.connectors.sdk.credentials import CredentialStore
from hub.connectors.sdk.state import BindingRepository, CursorRepository, HoldRepository, WebhookReceipts, WorkRequests
from hub.core.ports import UnitOfWork

__all__ = ["Available", "ChannelReads", "ConnectorUnitOfWork", "ConnectorUnitOfWorks"]

#: Available stock (on hand − reserved) per warehouse, sorted by warehouse.
Available = tuple[tuple[str, Decimal], ...]


class ConnectorUnitOfWork(UnitOfWork, Protocol):
    """:class:`hub.core.ports.UnitOfWork` plus the connector's own state; one transaction."""

    @property
    def bindings(self) -> BindingRepository: ...

    @property
    def cursors(self) -> CursorRepository: ...

    @property
    def holds(self) -> HoldRepository: ...

    @property
    def webhook_receipts(self) -> WebhookReceipts: ...

    @property
    def work(self) -> WorkRequests: ...

    @property
    def credentials(self) -> CredentialStore: ...


class ConnectorUnitOfWorks(Protocol):
    """Makes units of work: ``uows()`` to write, ``uows.reader()`` to read (a replica may answer)."""

    def __call__(self) -> ConnectorUnitOfWork: ...

    def reader(self) -> ConnectorUnitOfWork: ...


class ChannelReads(Protocol):
    """The hub's stock as a channel reads it, outside any unit of work: a read that a
    stock writer does for every batch it pushes, so the hub serves it from a fast path
    (``hub.db.reads``) rather than loading records."""

    async def channel_available(
        self, skus: Sequence[str] | None, warehouses: Sequence[str]
    ) -> tuple[dict[str, Available], dict[str, bool]]:
        """Available stock per warehouse by SKU — of ``skus``, or of every SKU stocked in
        ``warehouses`` — and whether each SKU's product is active (unknown SKUs absent)."""
        ...
