"""Shared budgets and per-operation limits, on the SDK's in-memory store and a fake clock.

The database's store is tested against the same behaviour in
tests/integration/connectors/test_budgets.py.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
import respx

from hub.connectors.sdk.budgets import DAY, MINUTE, Budget, MemoryBudgets, SharedBudget
from hub.connectors.sdk.errors import BudgetSpent, RetriableAPIError
from hub.connectors.sdk.http import ApiClient
from hub.connectors.sdk.ratelimit import TokenBucket, all_of
from hub.connectors.sdk.testing import FakeTime

BASE = "https://vendor.test"
#: 2026-12-09 23:59:00 UTC: a minute before a day window resets.
LATE = datetime(2026, 12, 9, 23, 59, tzinfo=UTC).timestamp()


def budget(store: MemoryBudgets, time: FakeTime, spec: Budget, **options: float) -> SharedBudget:
    return SharedBudget(store, "xero-1", spec, vendor="Xero", clock=time, sleep=time.sleep, **options)


async def test_a_day_quota_spent_says_until_when_and_sends_nothing() -> None:
    time, store = FakeTime(LATE - 3600), MemoryBudgets()
    day = budget(store, time, Budget("day", 3, DAY))
    for _ in range(3):
        await day.take()
    with pytest.raises(BudgetSpent, match=r"Xero budget day \(3 per day\) spent until 2026-12-10 00:00 UTC") as raised:
        await day.take()
    assert raised.value.until == datetime(2026, 12, 10, tzinfo=UTC)
    assert raised.value.retry_after == pytest.approx(3660) and raised.value.retriable
    assert time.sleeps == []
    time.now = LATE + 61  # the next UTC day
    await day.take()


async def test_a_short_wait_for_the_next_window_is_waited() -> None:
    time, store = FakeTime(LATE + 30), MemoryBudgets()
    minute = budget(store, time, Budget("minute", 2, MINUTE))
    for _ in range(3):
        await minute.take()
    assert time.sleeps == [30.0]  # the third waited for 00:00:00 instead of failing


async def test_every_limiter_of_an_instance_draws_on_one_budget() -> None:
    # Two connector objects (two processes' worth) of one instance, one store.
    time, store = FakeTime(LATE - 3600), MemoryBudgets()
    first, second = (budget(store, time, Budget("day", 5, DAY)) for _ in range(2))
    for _ in range(3):
        await first.take()
    await second.take(2)
    with pytest.raises(BudgetSpent):
        await first.take()
    other = SharedBudget(store, "xero-2", Budget("day", 5, DAY), clock=time, sleep=time.sleep)
    await other.take()  # another tenant counts apart


async def test_the_client_does_not_retry_a_spent_budget() -> None:
    time, store = FakeTime(LATE - 3600), MemoryBudgets()
    vendor = respx.Router(base_url=BASE)
    route = vendor.get("/Invoices").mock(return_value=httpx.Response(200))
    client = ApiClient(
        "Xero",
        BASE,
        limiter=all_of(TokenBucket(1, 60, clock=time, sleep=time.sleep), budget(store, time, Budget("day", 2, DAY))),
        transport=httpx.MockTransport(vendor.handler),
        sleep=time.sleep,
    )
    await client.request("GET", "/Invoices")
    await client.request("GET", "/Invoices")
    with pytest.raises(BudgetSpent):
        await client.request("GET", "/Invoices")
    await client.aclose()
    assert route.call_count == 2 and time.sleeps == []


async def test_each_operation_keeps_its_own_rate_and_burst() -> None:
    # Amazon SP-API: getOrders 0.0167/s burst 20, getOrder 0.5/s burst 30.
    time = FakeTime()
    vendor = respx.Router(base_url=BASE)
    sent: dict[str, list[float]] = {"orders": [], "order": []}

    def answer(name: str) -> Callable[[httpx.Request], httpx.Response]:
        def record(request: httpx.Request) -> httpx.Response:
            sent[name].append(time.now)
            return httpx.Response(200)

        return record

    vendor.get("/orders/v0/orders").mock(side_effect=answer("orders"))
    vendor.get("/orders/v0/orders/1").mock(side_effect=answer("order"))
    client = ApiClient(
        "Amazon",
        BASE,
        limits={
            "getOrders": TokenBucket(0.0167, 20, clock=time, sleep=time.sleep),
            "getOrder": TokenBucket(0.5, 30, clock=time, sleep=time.sleep),
        },
        transport=httpx.MockTransport(vendor.handler),
        sleep=time.sleep,
    )
    for _ in range(21):
        await client.request("GET", "/orders/v0/orders", operation="getOrders")
    # The burst of 20 went at once; the 21st waited for one token at 0.0167/s.
    assert sent["orders"][:20] == [0.0] * 20 and sent["orders"][20] == pytest.approx(1 / 0.0167)
    for _ in range(30):
        await client.request("GET", "/orders/v0/orders/1", operation="getOrder")
    # getOrder's own burst is untouched by getOrders' wait.
    assert len(set(sent["order"])) == 1
    await client.aclose()


def rpc(error: dict[str, object] | None) -> httpx.Response:
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, **({"error": error} if error else {"result": 7})})


def classify(response: httpx.Response) -> None:
    """A JSON-RPC vendor: 200 with ``error`` inside; code 429 means throttled."""
    error = response.json().get("error")
    if error and error["code"] == 429:
        raise RetriableAPIError(f"throttled: {error['message']}", retry_after=error["data"]["retry_after"])


async def test_an_error_inside_a_200_is_retried_by_the_one_loop() -> None:
    time = FakeTime()
    vendor = respx.Router(base_url=BASE)
    throttled = rpc({"code": 429, "message": "slow down", "data": {"retry_after": 3}})
    route = vendor.post("/jsonrpc").mock(side_effect=[throttled, throttled, rpc(None)])
    client = ApiClient("Odoo", BASE, classify=classify, transport=httpx.MockTransport(vendor.handler), sleep=time.sleep)
    assert (await client.request("POST", "/jsonrpc", json={})).json()["result"] == 7
    assert route.call_count == 3 and time.sleeps == [3, 3]
    route.side_effect = None
    route.return_value = throttled
    with pytest.raises(RetriableAPIError, match="slow down"):
        await client.request("POST", "/jsonrpc", json={})
    assert route.call_count == 3 + client.max_attempts
    await client.aclose()


async def test_the_client_sends_with_the_auth_it_was_given() -> None:
    vendor = respx.Router(base_url=BASE)
    route = vendor.get("/me").mock(return_value=httpx.Response(200))
    client = ApiClient(
        "Acme", BASE, auth=httpx.BasicAuth("ck_key", "cs_secret"), transport=httpx.MockTransport(vendor.handler)
    )
    await client.request("GET", "/me")
    await client.aclose()
    assert (
        route.calls.last.request.headers["Authorization"] == "Basic " + base64.b64encode(b"ck_key:cs_secret").decode()
    )
