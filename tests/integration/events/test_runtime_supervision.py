"""One job of the event runtime failing does not end the others, and it is started again.

Found by the PostgreSQL+Kafka fault day: PostgreSQL cut the connection the relay's
leadership was acquired on, the relay raised, and the whole runtime of ``hub serve``
ended with it — the API went on answering, but nothing was relayed or handled any more,
and a Kafka consumer it had started kept its partitions in the group, heartbeating,
with no one reading them."""

from __future__ import annotations

from typing import Any

import pytest

from hub.outbox.relay import Relay
from tests.integration.events.support import (
    Recorder,
    emit_products,
    event_hub,
    eventually,
    running,
    settings_for,
    unpublished,
    wait_applied,
)


async def test_a_relay_that_fails_is_started_again_and_the_subscribers_keep_running(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    original = Relay.run

    async def flaky(self: Relay, stop: Any) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise ConnectionError("connection is closed")  # what asyncpg raised, in kind
        await original(self, stop)

    monkeypatch.setattr(Relay, "run", flaky)
    recorder = Recorder("supervised")
    async with event_hub(settings_for(database_url), recorder.subscriber()) as hub:
        async with running(hub) as runtime:
            ids = await emit_products(hub, 5)
            await wait_applied(hub, "supervised", ids, timeout=30, alive=[runtime])

            async def relayed() -> bool:
                return await unpublished(hub.db) == 0

            await eventually(relayed, "the relay, started again, published every event", timeout=30, alive=[runtime])
            assert runtime._task is not None and not runtime._task.done()
    assert len(runs) == 2
