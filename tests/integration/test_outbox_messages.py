"""The message a unit of work stores with each outbox row is what the relay publishes.

Rows written before messages were stored (or written by hand) have none: the relay
composes theirs from the row's columns, and both ways give the same envelope.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert, select, update

from hub.bootstrap import Hub
from hub.core.events import StockLevelChanged
from hub.db import tables as t
from hub.db.outbox import outbox_row, unpublished
from hub.outbox.envelope import correlation_id, envelope_for


def _level(sku: str, on_hand: str) -> StockLevelChanged:
    quantity = Decimal(on_hand)
    return StockLevelChanged(
        sku=sku, warehouse="WH-进", on_hand=quantity, reserved=Decimal(0), available=quantity, in_transit=Decimal(0)
    )


async def test_a_committed_event_is_stored_as_the_message_its_columns_would_make(hub: Hub) -> None:
    token = correlation_id.set('req "1" ü')
    try:
        async with hub.uow() as uow:
            uow.emit(_level('we"ird\\ SKU ü\n', "12.5"))
            await uow.commit()
            [envelope] = uow.committed
    finally:
        correlation_id.reset(token)
    async with hub.db.engine.connect() as conn:
        stored = await conn.scalar(select(t.outbox.c.message).where(t.outbox.c.event_id == envelope.event_id))
    assert stored is not None
    assert json.loads(stored) == envelope.model_dump(mode="json") | {
        "occurred_at": envelope.occurred_at.isoformat().replace("+00:00", "Z")
    }

    async with hub.db.writing() as conn:  # as a row from before messages were stored
        await conn.execute(update(t.outbox).values(message=None))
    [record] = await unpublished(hub.db, 10)
    # The same bytes up to the payload, which comes as the database keeps JSON.
    assert record.message.split(b',"payload":')[0] == stored.split(b',"payload":')[0]
    assert json.loads(record.message) == json.loads(stored)


async def test_rows_with_and_without_a_stored_message_are_read_in_order_alike(hub: Hub) -> None:
    at = datetime(2025, 3, 1, 16, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=8)))  # stored as UTC
    envelopes = [envelope_for(_level(f"SKU-{i}", str(i)), tenant="t", occurred_at=at) for i in range(6)]
    rows = [outbox_row(e) if i % 2 else e.model_dump() for i, e in enumerate(envelopes)]
    async with hub.db.writing() as conn:
        await conn.execute(insert(t.outbox), rows)

    records = await unpublished(hub.db, 10)

    assert [r.event_id for r in records] == [e.event_id for e in envelopes]
    assert len({r.message for r in records}) == 6
    for record, envelope in zip(records, envelopes, strict=True):
        message = json.loads(record.message)
        assert message["occurred_at"] == "2025-03-01T08:00:00.250000Z"
        assert message["payload"] == envelope.payload
        assert datetime.fromisoformat(message["occurred_at"]) == at.astimezone(UTC)
