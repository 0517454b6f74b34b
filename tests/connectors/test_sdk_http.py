"""The SDK's HTTP client: what it retries, how long it waits, what it raises.

The vendor is respx; time is a :class:`FakeTime`, so every wait is recorded, not slept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from hub.connectors.sdk.errors import (
    AuthenticationError,
    FatalAPIError,
    RetriableAPIError,
    ThrottledError,
)
from hub.connectors.sdk.http import ApiClient
from hub.connectors.sdk.ratelimit import TokenBucket
from hub.connectors.sdk.testing import FakeTime

BASE = "https://vendor.test"


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def vendor() -> respx.Router:
    return respx.Router(base_url=BASE, assert_all_called=False)


@pytest.fixture
async def api(vendor: respx.Router, time: FakeTime) -> AsyncIterator[ApiClient]:
    client = ApiClient(
        "Acme",
        BASE,
        max_attempts=5,
        backoff=1.0,
        max_backoff=30.0,
        transport=httpx.MockTransport(vendor.handler),
        sleep=time.sleep,
    )
    yield client
    await client.aclose()


async def test_retry_after_is_waited_exactly(api: ApiClient, vendor: respx.Router, time: FakeTime) -> None:
    route = vendor.get("/items").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503, headers={"Retry-After": "2.5"}),
            httpx.Response(200, json={"items": []}),
        ]
    )
    response = await api.request("GET", "/items")
    assert response.json() == {"items": []}
    assert route.call_count == 3
    assert time.sleeps == [7.0, 2.5]


async def test_retry_after_as_a_date_waits_until_then(api: ApiClient, vendor: respx.Router, time: FakeTime) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    vendor.get("/items").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": soon}),
            httpx.Response(429, headers={"Retry-After": past}),
            httpx.Response(200),
        ]
    )
    await api.request("GET", "/items")
    assert 200 < time.sleeps[0] <= 300 and time.sleeps[1] == 0.0


async def test_an_unreadable_retry_after_falls_back_to_backoff(
    api: ApiClient, vendor: respx.Router, time: FakeTime
) -> None:
    vendor.get("/items").mock(side_effect=[httpx.Response(503, headers={"Retry-After": "soon"}), httpx.Response(200)])
    await api.request("GET", "/items")
    assert 0.5 <= time.sleeps[0] <= 1.0


async def test_without_retry_after_backoff_doubles_with_jitter(
    api: ApiClient, vendor: respx.Router, time: FakeTime
) -> None:
    vendor.get("/items").mock(side_effect=[httpx.Response(500)] * 4 + [httpx.Response(200)])
    await api.request("GET", "/items")
    assert len(time.sleeps) == 4
    for attempt, waited in enumerate(time.sleeps):
        full = 1.0 * 2**attempt
        assert full / 2 <= waited <= full, (attempt, waited)


async def test_jitter_spreads_the_retries_of_many_clients(vendor: respx.Router) -> None:
    first_waits = set()
    for _ in range(10):
        time = FakeTime()
        client = ApiClient("Acme", BASE, backoff=1.0, transport=httpx.MockTransport(vendor.handler), sleep=time.sleep)
        vendor.get("/items").mock(side_effect=[httpx.Response(502), httpx.Response(200)])
        await client.request("GET", "/items")
        await client.aclose()
        first_waits.update(time.sleeps)
    assert len(first_waits) > 1  # not all in lockstep


async def test_backoff_stops_growing_at_its_ceiling(vendor: respx.Router, time: FakeTime) -> None:
    client = ApiClient(
        "Acme",
        BASE,
        max_attempts=8,
        backoff=1.0,
        max_backoff=3.0,
        transport=httpx.MockTransport(vendor.handler),
        sleep=time.sleep,
    )
    vendor.get("/items").mock(side_effect=[httpx.Response(504)] * 7 + [httpx.Response(200)])
    await client.request("GET", "/items")
    await client.aclose()
    assert max(time.sleeps) <= 3.0 and min(time.sleeps[2:]) >= 1.5


async def test_a_server_that_keeps_failing_raises_its_last_error(
    api: ApiClient, vendor: respx.Router, time: FakeTime
) -> None:
    route = vendor.post("/orders").mock(return_value=httpx.Response(503, text="down for maintenance"))
    with pytest.raises(RetriableAPIError, match="Acme answered 503 to POST /orders: down for maintenance"):
        await api.request("POST", "/orders", json={})
    assert route.call_count == 5 and len(time.sleeps) == 4


async def test_429_past_the_limit_is_a_throttled_error_with_the_wait_asked_for(
    api: ApiClient, vendor: respx.Router
) -> None:
    vendor.get("/items").mock(return_value=httpx.Response(429, headers={"Retry-After": "0"}))
    with pytest.raises(ThrottledError) as raised:
        await api.request("GET", "/items")
    assert raised.value.retriable and raised.value.retry_after == 0


@pytest.mark.parametrize("status", [400, 404, 409, 422])
async def test_other_4xx_are_fatal_and_not_retried(
    api: ApiClient, vendor: respx.Router, time: FakeTime, status: int
) -> None:
    route = vendor.post("/orders").mock(return_value=httpx.Response(status, json={"error": "no"}))
    with pytest.raises(FatalAPIError) as raised:
        await api.request("POST", "/orders", json={})
    assert type(raised.value) is FatalAPIError and raised.value.status == status and not raised.value.retriable
    assert route.call_count == 1 and time.sleeps == []


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_credentials_are_an_authentication_error(
    api: ApiClient, vendor: respx.Router, time: FakeTime, status: int
) -> None:
    route = vendor.get("/me").mock(return_value=httpx.Response(status))
    with pytest.raises(AuthenticationError) as raised:
        await api.request("GET", "/me")
    assert raised.value.status == status
    assert route.call_count == 1 and time.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
async def test_transport_failures_are_retriable_errors(
    api: ApiClient, vendor: respx.Router, time: FakeTime, failure: httpx.HTTPError
) -> None:
    route = vendor.get("/items").mock(side_effect=failure)
    with pytest.raises(RetriableAPIError, match=f"Acme unreachable: {type(failure).__name__}") as raised:
        await api.request("GET", "/items")
    assert raised.value.__cause__ is failure  # kept for the log, never raised as itself
    assert route.call_count == 5 and len(time.sleeps) == 4


async def test_a_transport_failure_then_success_is_a_success(api: ApiClient, vendor: respx.Router) -> None:
    vendor.get("/items").mock(side_effect=[httpx.ConnectError("reset"), httpx.Response(200, json=[1])])
    assert (await api.request("GET", "/items")).json() == [1]


async def test_every_attempt_waits_for_the_rate_limiter(vendor: respx.Router, time: FakeTime) -> None:
    limiter = TokenBucket(per_second=2, burst=1, clock=time, sleep=time.sleep)
    client = ApiClient("Acme", BASE, limiter=limiter, transport=httpx.MockTransport(vendor.handler), sleep=time.sleep)
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.now)
        return httpx.Response(200)

    vendor.get("/items").mock(side_effect=answer)
    for _ in range(3):
        await client.request("GET", "/items")
    await client.aclose()
    assert sent_at == [0.0, 0.5, 1.0]
