"""The ``connectors`` subscriber: turns hub events into queued work for each instance.

One subscriber for all instances keeps the event runtime static while instances come
and go; each connector type says which events concern which of its instances
(:meth:`Connector.triggered`), and the work lands in that instance's queue in the same
transaction as the inbox row — exactly once per event, however often it is delivered.
"""

from __future__ import annotations

from hub.connectors.registry import connector_type, connector_types
from hub.db.connectors import SqlConnectorInstances
from hub.db.uow import SqlUnitOfWork
from hub.db.work_queue import enqueue
from hub.outbox.subscribers import Delivered, Subscriber

__all__ = ["NAME", "connectors_subscriber"]

NAME = "connectors"


async def _fan_out(delivered: Delivered, uow: SqlUnitOfWork) -> None:
    for row in await SqlConnectorInstances(uow.session).list():
        cls = connector_type(row.type)
        if row.status != "active" or cls is None or delivered.envelope.type not in cls.listens_to:
            continue
        for kind, keys in (await cls.triggered(delivered.event, row.id, row.mappings, uow)).items():
            await enqueue(uow.session, row.id, kind, keys)


def connectors_subscriber() -> Subscriber | None:
    """The subscriber, if any installed connector type listens to anything."""
    types = {event_type for cls in connector_types().values() for event_type in cls.listens_to}
    return Subscriber.of(NAME, _fan_out, types) if types else None
