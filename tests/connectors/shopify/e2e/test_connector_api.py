"""Adding the Shopify connector, what its status shows, and webhooks that fail their signature."""

from __future__ import annotations

import logging

import pytest

from hub.simulators.shopify import sign
from tests.connectors.shopify.e2e.support import CONNECTOR, SECRET, TOKEN, Stack, ok, sqlite_only


@sqlite_only
async def test_bad_credentials_are_refused_and_nothing_is_saved(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    refused = await stack.api.post("/v1/connectors", json=stack.connector_body(access_token="shpat_wrong"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "config"
    assert "refused the credentials" in refused.json()["detail"]
    # Refusals for other reasons do not echo what was sent either.
    for body in (
        {**stack.connector_body(), "id": "Not An Id"},
        stack.connector_body(poll_interval_seconds=0),
        stack.connector_body(mappings={"locations": {}}),
        {**stack.connector_body(), "surprise": True},
    ):
        assert (await stack.api.post("/v1/connectors", json=body)).status_code == 422
    assert ok(await stack.api.get("/v1/connectors")) == []
    assert (await stack.api.get(f"/v1/connectors/{CONNECTOR}")).status_code == 404

    added = await stack.add_connector()
    assert added["config"]["access_token"] != TOKEN and added["config"]["webhook_secret"] != SECRET
    for path in ("/v1/connectors", f"/v1/connectors/{CONNECTOR}", f"/v1/connectors/{CONNECTOR}/runs"):
        ok(await stack.api.get(path))
    ok(await stack.api.post(f"/v1/connectors/{CONNECTOR}/reconcile", params={"dry_run": True}))
    assert len(stack.answers) > 10
    assert not [body for body in stack.answers if TOKEN in body or SECRET in body], "a secret in a response"
    assert not [r.getMessage() for r in caplog.records if TOKEN in r.getMessage() or SECRET in r.getMessage()]


@sqlite_only
async def test_the_status_shows_the_last_sync_of_each_entity_however_often_one_runs(stack: Stack) -> None:
    await stack.add_connector(poll_interval_seconds=3600)
    for _ in range(50):  # fifty polls: more runs than the status reads back
        ok(await stack.api.post(f"/v1/connectors/{CONNECTOR}/reconcile", params={"entity": "orders"}))
    status = await stack.status()
    assert {entity: run["trigger"] for entity, run in status["last_sync"].items()} == {
        "orders": "api",
        "stock": "start",
    }
    assert status["last_sync"]["stock"]["status"] == "succeeded"
    assert set(status["cursors"]) == {"orders.since", "orders.updated_at"}
    assert status["recent_errors"] == [] and status["orders_on_hold"] == [] and status["queue"] == {}


@sqlite_only
async def test_a_webhook_with_a_bad_or_missing_signature_is_refused_and_writes_nothing(stack: Stack) -> None:
    await stack.add_connector(poll_interval_seconds=3600)  # webhooks alone bring orders in
    await stack.configure_store(webhook_bad_signature=True)
    placed = await stack.place_order(("TEA", 1))
    await stack.settled()
    (delivery,) = await stack.deliveries()
    assert {attempt["status"] for attempt in delivery["attempts"]} == {401}

    body = b'{"id": 1, "admin_graphql_api_id": "gid://shopify/Order/1"}'
    headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Webhook-Id": "w-1", "Content-Type": "application/json"}
    missing = await stack.api.post(f"/v1/webhooks/{CONNECTOR}", content=body, headers=headers)
    forged = await stack.api.post(
        f"/v1/webhooks/{CONNECTOR}", content=body, headers={**headers, "X-Shopify-Hmac-SHA256": sign(body, "guess")}
    )
    for refused in (missing, forged):
        assert refused.status_code == 401, refused.text
    await stack.settled()
    assert (await stack.status())["queue"] == {}
    assert await stack.orders_of(placed["admin_graphql_api_id"]) == []

    # Refusing wrote nothing, not even the delivery's id: signed right, it is taken in.
    await stack.configure_store(webhook_bad_signature=False)
    ok(await stack.shop.post("/_simulator/webhooks/redeliver", json={"webhook_id": delivery["webhook_id"]}))
    await stack.order_of(placed["admin_graphql_api_id"], "the order redelivered with a good signature")


@sqlite_only
async def test_reconciling_every_entity_answers_each_run_and_their_sum(stack: Stack) -> None:
    await stack.add_connector(poll_interval_seconds=3600)
    await stack.place_order(("TEA", 1))
    answer = ok(await stack.api.post(f"/v1/connectors/{CONNECTOR}/reconcile", params={"dry_run": True}))
    runs = answer["runs"]
    # The connector's own order: the orders are counted before the stock is planned.
    assert [run["entity"] for run in runs] == ["orders", "stock"]
    assert answer["entity"] == "orders,stock"
    assert all(run["dry_run"] and run["writes"] == 0 for run in runs)
    # The top level is every run together, not the last one's counts beside all plans.
    for action in {action for run in runs for action in run["counts"]}:
        assert answer["counts"][action] == sum(run["counts"].get(action, 0) for run in runs)
    assert answer["plan"] == [item for run in runs for item in run["plan"]]
    assert len(answer["plan"]) == sum(sum(run["counts"].values()) for run in runs)
    assert answer["id"] == runs[-1]["id"] and answer["started_at"] == runs[0]["started_at"]

    unknown = await stack.api.post(f"/v1/connectors/{CONNECTOR}/reconcile", params={"entity": "invoices"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "entity"
    missing = await stack.api.post("/v1/connectors/nope/reconcile")
    assert missing.status_code == 404
