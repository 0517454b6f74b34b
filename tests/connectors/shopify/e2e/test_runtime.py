"""The connector's worker across a restart of the hub's workers, and removing the instance."""

from __future__ import annotations

from hub.outbox.runtime import EventRuntime
from tests.connectors.shopify.e2e.support import CONNECTOR, Stack, ok, sqlite_only


@sqlite_only
async def test_work_that_arrived_while_the_workers_were_down_is_done_when_they_return(stack: Stack) -> None:
    await stack.add_connector(poll_interval_seconds=3600)
    await stack.events.close(timeout=20)

    placed = await stack.place_order(("TEA", 2))  # the API still takes the webhook in
    await stack.settled_deliveries()
    await stack.receive("HZ", {"TEA": 5})
    assert await stack.orders_of(placed["admin_graphql_api_id"]) == []

    stack.events = EventRuntime(stack.hub)
    stack.events.start()
    await stack.order_of(placed["admin_graphql_api_id"], "the order queued while the workers were down")

    async def caught_up() -> bool:
        return (await stack.available())[("TEA", "Hangzhou Store")] == 25

    await stack.wait(caught_up, "the receipt made while the workers were down, in the store")


@sqlite_only
async def test_a_removed_instance_stops_working_and_refuses_webhooks(stack: Stack) -> None:
    await stack.add_connector()
    assert stack.runtime_workers() == {CONNECTOR}
    assert (await stack.api.delete(f"/v1/connectors/{CONNECTOR}")).status_code == 204
    assert (await stack.api.get(f"/v1/connectors/{CONNECTOR}")).status_code == 404

    async def stopped() -> bool:
        return CONNECTOR not in stack.runtime_workers()

    await stack.wait(stopped, "the instance's worker to stop")
    placed = await stack.place_order(("TEA", 1))
    await stack.settled_deliveries()
    (delivery,) = [d for d in await stack.deliveries() if d["topic"] == "orders/create"]
    assert {attempt["status"] for attempt in delivery["attempts"]} == {404}
    ok(await stack.api.get("/v1/sales-orders"))
    assert await stack.orders_of(placed["admin_graphql_api_id"]) == []
