"""The simulator's seeded fault plan: the store misbehaving on purpose, and replayably.

429 and 5xx answers change nothing in the store; a "timeout" is a 504 whose write *was*
done (the case idempotency exists for); webhooks are dropped or sent twice with one
id. The same seed gives the same faults in the same order.
"""

from __future__ import annotations

from typing import Any

from hub.simulators.shopify.faults import FaultPlan, FaultSettings
from tests.connectors.shopify.test_simulator import (  # the fixture and helpers of the simulator's own tests
    GRAPHQL,
    SET,
    TOKEN,
    Receiver,
    Shop,
    _hooked,
    _levels,
    _set_input,
    shop,
)

__all__ = ["shop"]  # a fixture, used by name


async def _set(shop: Shop, quantity: int) -> Any:
    wanted = _set_input(shop, ("TEA-1", "Shanghai DC", quantity, 100))
    return await shop.client.post(
        GRAPHQL, json={"query": SET, "variables": {"input": wanted}}, headers={"X-Shopify-Access-Token": TOKEN}
    )


def test_the_same_seed_gives_the_same_faults_in_the_same_order() -> None:
    settings = FaultSettings(seed=7, rate_429=0.2, rate_5xx=0.1, slow_rate=0.1, timeout_rate=0.05, drop_webhooks=0.3)
    first, second = FaultPlan(settings), FaultPlan(settings)
    draws = [(first.api_fault(), first.webhook_fault()) for _ in range(500)]
    assert draws == [(second.api_fault(), second.webhook_fault()) for _ in range(500)]
    assert first.counts == second.counts and set(first.counts) == {"429", "5xx", "slow", "timeout", "drop"}
    assert 60 < first.counts["429"] < 140, "about a fifth of 500 requests"
    other = FaultPlan(settings.model_copy(update={"seed": 8}))
    assert [(other.api_fault(), other.webhook_fault()) for _ in range(500)] != draws
    assert FaultPlan().api_fault() is None and not FaultPlan().active


async def test_429_and_5xx_answers_change_nothing_in_the_store(shop: Shop) -> None:
    shop.sim.configure(faults={"rate_429": 1})
    throttled = await _set(shop, 80)
    assert throttled.status_code == 429 and float(throttled.headers["Retry-After"]) > 0
    assert "Reduce request rates" in throttled.json()["errors"]
    shop.sim.configure(faults={"rate_5xx": 1})
    failed = await _set(shop, 80)
    assert failed.status_code in (500, 502, 503)
    assert await _levels(shop, "TEA-1") == {"Shanghai DC": 100, "Hangzhou Store": 10}
    assert shop.sim.counters.mutations_applied == 0

    shop.sim.configure(faults={})
    assert (await _set(shop, 80)).status_code == 200
    assert (await _levels(shop, "TEA-1"))["Shanghai DC"] == 80


async def test_a_timeout_is_a_504_whose_write_was_done(shop: Shop) -> None:
    shop.sim.configure(faults={"timeout_rate": 1, "timeout_ms": 10})
    answer = await _set(shop, 70)
    assert answer.status_code == 504
    assert (await _levels(shop, "TEA-1"))["Shanghai DC"] == 70, "the store did it; only the answer was lost"
    assert shop.sim.counters.mutations_applied == 1
    # Sent again as it was, the write now finds the level moved: its compare quantity is stale.
    shop.sim.configure(faults={})
    again = (await _set(shop, 70)).json()
    assert again["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_STALE"


async def test_webhooks_dropped_or_sent_twice_with_one_id(shop: Shop) -> None:
    receiver = Receiver()
    await _hooked(shop, receiver)
    shop.sim.configure(webhook_topics=["orders/create"], faults={"drop_webhooks": 1})
    shop.store.create_order([{"sku": "TEA-1", "quantity": 1}])
    await shop.sim.webhooks.drain()
    assert receiver.requests == []
    [dropped] = (await shop.client.get("/_simulator/webhooks")).json()
    assert dropped["dropped"] and not dropped["delivered"] and dropped["attempts"] == []

    shop.sim.configure(faults={"duplicate_webhooks": 1})
    shop.store.create_order([{"sku": "TEA-1", "quantity": 1}])
    await shop.sim.webhooks.drain()
    assert len(receiver.requests) == 2
    assert len({r.headers["X-Shopify-Webhook-Id"] for r in receiver.requests}) == 1


async def test_the_control_api_sets_the_plan_and_counts_what_it_injected(shop: Shop) -> None:
    plan = {"seed": 3, "rate_429": 0.5, "slow_rate": 0.5, "slow_ms": 1}
    configured = await shop.client.patch("/_simulator/config", json={"faults": plan})
    assert configured.status_code == 200 and configured.json()["faults"]["rate_429"] == 0.5
    statuses = [(await _set(shop, 90)).status_code for _ in range(20)]
    faults = (await shop.client.get("/_simulator/faults")).json()
    assert faults["seed"] == 3 and faults["injected"]["429"] == statuses.count(429)
    assert faults["injected"]["429"] + faults["injected"]["slow"] == 20
    refused = await shop.client.patch("/_simulator/config", json={"faults": {"rate_429": 2}})
    assert refused.status_code == 422
    refused = await shop.client.patch("/_simulator/config", json={"faults": {"rate_4xx": 0.1}})
    assert refused.status_code == 422
    off = await shop.client.patch("/_simulator/config", json={"faults": {}})
    assert off.json()["faults"]["rate_429"] == 0
    assert (await _set(shop, 90)).status_code == 200
