"""A connector's queue item that keeps failing becomes a dead letter, and ``hub dlq
retry`` puts it back on that instance's queue (its worker does the work, at the
vendor's pace) rather than handing it to an event subscriber."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, insert, select

from hub.db import tables as t
from hub.db.dead_letters import WORK, file_dead_letter
from hub.db.types import utcnow
from hub.db.work_queue import WorkQueue, enqueue
from hub.outbox import deadletters
from tests.integration.events.support import event_hub, settings_for


async def test_a_dead_lettered_queue_item_is_queued_again_by_retry(database_url: str) -> None:
    connector_id = f"shop-{uuid.uuid4().hex[:8]}"
    async with event_hub(settings_for(database_url)) as hub:
        async with hub.db.writing() as conn:
            await conn.execute(
                insert(t.connector_instances).values(
                    id=connector_id, type="shopify", config="sealed", mappings={}, status="active", created_at=utcnow()
                )
            )
        try:
            async with hub.uow() as uow:
                await enqueue(uow.session, connector_id, "stock", ["TEA"])
                await uow.commit()
            queue = WorkQueue(hub.db, max_attempts=1)
            [item] = await queue.due(connector_id, "stock", 10)
            assert await queue.fail(item, "RetriableAPIError: 503 from the vendor")
            assert await queue.due(connector_id, "stock", 10) == []

            [letter] = [
                letter
                for letter in await deadletters.list_letters(hub.db)
                if letter.subscriber == f"connector:{connector_id}"
            ]
            assert (letter.type, letter.aggregate_id, letter.attempts) == ("stock", "TEA", 1)
            assert "503 from the vendor" in letter.error

            outcome, after = await deadletters.retry(hub.db, hub.delivery, {}, letter.id)
            assert (outcome, after.status) == ("applied", "retried")
            [again] = await queue.due(connector_id, "stock", 10)
            assert (again.key, again.attempts) == ("TEA", 0)
            with pytest.raises(deadletters.DeadLetterError, match="not pending"):
                await deadletters.retry(hub.db, hub.delivery, {}, letter.id)
        finally:
            async with hub.db.writing() as conn:
                await conn.execute(
                    delete(t.dead_letters).where(t.dead_letters.c.subscriber == f"connector:{connector_id}")
                )
                await conn.execute(delete(t.connector_queue).where(t.connector_queue.c.connector_id == connector_id))
                await conn.execute(delete(t.connector_instances).where(t.connector_instances.c.id == connector_id))


async def test_a_dead_letter_of_a_removed_connector_is_refused(database_url: str) -> None:
    connector_id = f"gone-{uuid.uuid4().hex[:8]}"
    async with event_hub(settings_for(database_url)) as hub:
        async with hub.db.writing() as conn:
            letter_id = await file_dead_letter(
                conn,
                kind=WORK,
                subscriber=f"connector:{connector_id}",
                connector_id=connector_id,
                type="stock",
                aggregate_type="connector_queue",
                aggregate_id="TEA",
                source="queue",
                message=f'{{"connector_id": "{connector_id}", "kind": "stock", "key": "TEA"}}',
                error="boom",
                attempts=8,
            )
        try:
            with pytest.raises(deadletters.DeadLetterError, match="no longer exists"):
                await deadletters.retry(hub.db, hub.delivery, {}, letter_id)
            async with hub.db.engine.connect() as conn:
                status = await conn.scalar(select(t.dead_letters.c.status).where(t.dead_letters.c.id == letter_id))
            assert status == "pending"
        finally:
            async with hub.db.writing() as conn:
                await conn.execute(delete(t.dead_letters).where(t.dead_letters.c.id == letter_id))
