"""The Shopify client paces itself by the store's cost bucket and retries what is retriable.

The store is respx, answering in the Admin API's shapes (``extensions.cost`` with
``throttleStatus``; ``THROTTLED`` as a GraphQL error with HTTP 200); time is a
:class:`FakeTime` shared by the client's bucket and its retries, so waits are exact.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from hub.connectors.sdk.errors import AuthenticationError, ThrottledError
from hub.connectors.sdk.ratelimit import CostBucket
from hub.connectors.sdk.testing import FakeTime
from hub.connectors.shopify import queries
from hub.connectors.shopify.client import GraphQLError, ShopifyClient
from hub.connectors.shopify.config import ShopifyConfig
from hub.connectors.shopify.cost import requested_cost

SHOP = "https://jxc.myshopify.com"
GRAPHQL = "/admin/api/2025-01/graphql.json"
LOCATIONS = {"locations": {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
#: What the client estimates a LOCATIONS page of 10 costs (Shopify's rules: 2 + 10).
COST = requested_cost(queries.LOCATIONS, {"first": 10})


def extensions(requested: float, available: float, *, maximum: float = 1000, rate: float = 50) -> dict[str, Any]:
    status = {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate}
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status}}


def answered(data: dict[str, Any], requested: float, available: float, **bucket: float) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "extensions": extensions(requested, available, **bucket)})


def throttled(requested: float, available: float, **bucket: float) -> httpx.Response:
    error = {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev"}}
    return httpx.Response(200, json={"errors": [error], "extensions": extensions(requested, available, **bucket)})


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def store() -> respx.Router:
    return respx.Router(base_url=SHOP, assert_all_called=False)


@pytest.fixture
async def client(store: respx.Router, time: FakeTime) -> AsyncIterator[ShopifyClient]:
    config = ShopifyConfig(shop_url=SHOP, access_token="shpat_token", webhook_secret="shpss_secret")
    shopify = ShopifyClient(
        config,
        CostBucket(clock=time, sleep=time.sleep),
        transport=httpx.MockTransport(store.async_handler),
        sleep=time.sleep,
    )
    yield shopify
    await shopify.aclose()


async def locations(client: ShopifyClient) -> dict[str, Any]:
    return await client.execute(queries.LOCATIONS, {"first": 10})


async def test_throttled_waits_for_the_deficit_to_restore_then_succeeds(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    route = store.post(GRAPHQL).mock(
        side_effect=[throttled(COST, available=2, rate=5), answered(LOCATIONS, COST, available=0, rate=5)]
    )
    assert await locations(client) == LOCATIONS
    # (12 requested − 2 available) / 5 points a second; then the bucket holds the 12.
    assert time.sleeps == [(COST - 2) / 5]
    assert (client.requests, client.throttled, route.call_count) == (2, 1, 2)
    sent = route.calls.last.request
    assert sent.headers["X-Shopify-Access-Token"] == "shpat_token"
    assert json.loads(sent.content) == {"query": queries.LOCATIONS, "variables": {"first": 10}}


@pytest.mark.parametrize("times", [1, 3, 5])
async def test_throttled_n_times_then_answered_is_n_plus_one_requests(
    client: ShopifyClient, store: respx.Router, time: FakeTime, times: int
) -> None:
    route = store.post(GRAPHQL).mock(
        side_effect=[throttled(COST, available=0)] * times + [answered(LOCATIONS, COST, available=900)]
    )
    assert await locations(client) == LOCATIONS
    assert route.call_count == client.requests == times + 1 and client.throttled == times


async def test_a_store_that_always_answers_429_gets_max_attempts_not_more(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    # One retry loop: the SDK's. (Shopify's own loop around it once made this 6 × 6.)
    route = store.post(GRAPHQL).mock(return_value=httpx.Response(429, headers={"Retry-After": "1"}))
    with pytest.raises(ThrottledError):
        await locations(client)
    assert route.call_count == client.max_attempts == 6
    assert time.sleeps == [1.0] * 5


async def test_a_small_deficit_still_waits_half_a_second(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    store.post(GRAPHQL).mock(
        side_effect=[throttled(COST, available=COST - 1, rate=100), answered(LOCATIONS, COST, available=0, rate=100)]
    )
    await locations(client)
    assert time.sleeps == [0.5]


async def test_throttled_past_the_limit_raises_throttled_error(client: ShopifyClient, store: respx.Router) -> None:
    route = store.post(GRAPHQL).mock(return_value=throttled(COST, available=0))
    with pytest.raises(ThrottledError) as raised:
        await locations(client)
    assert raised.value.retriable
    assert route.call_count == client.max_attempts == client.throttled


async def test_a_request_waits_until_the_bucket_holds_its_cost(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    client.bucket.observe(currently_available=2, maximum_available=100, restore_rate=5)
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(time.now)
        return answered(LOCATIONS, COST, available=0, maximum=100, rate=5)

    store.post(GRAPHQL).mock(side_effect=answer)
    await locations(client)
    assert sent_at == [(COST - 2) / 5]


async def test_a_request_reserves_what_the_store_charged_last_time_if_more(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    # The store priced the document at 50 where the client estimated 12: from then on
    # the client waits for 50 points before sending it again.
    store.post(GRAPHQL).mock(return_value=answered(LOCATIONS, 50, available=20, maximum=100, rate=10))
    await locations(client)
    assert time.sleeps == []
    await locations(client)
    assert time.sleeps == [(50 - 20) / 10]


class LeakyBucketStore:
    """A store that charges each request its requested cost from a leaky bucket on the
    test's clock as it arrives, answers THROTTLED when the bucket does not hold it, and
    lets other requests arrive before answering (as latency does): several are in flight."""

    def __init__(self, time: FakeTime, *, size: float, rate: float) -> None:
        self.time, self.size, self.rate = time, size, rate
        self.level, self.stamp = size, time.now
        self.charged = self.refused = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        # to a thousandth of a point, as Shopify's (and the simulator's) bucket counts
        self.level = round(min(self.size, self.level + (self.time.now - self.stamp) * self.rate), 3)
        self.stamp = self.time.now
        body = json.loads(request.content)
        cost = requested_cost(body["query"], body["variables"])
        bucket = {"maximum": self.size, "rate": self.rate}
        if cost > self.level:
            self.refused += 1
            response = throttled(cost, self.level, **bucket)
        else:
            self.level -= cost
            self.charged += 1
            response = answered(LOCATIONS, cost, self.level, **bucket)
        for _ in range(3):
            await asyncio.sleep(0)
        return response


async def test_many_requests_at_once_never_exceed_the_bucket(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    shop = LeakyBucketStore(time, size=100, rate=10)
    store.post(GRAPHQL).mock(side_effect=shop)
    await locations(client)  # the first answer tells the client the store's bucket
    await asyncio.gather(*(locations(client) for _ in range(30)))
    assert (shop.charged, shop.refused, client.throttled) == (31, 0, 0)
    # 31 × 12 points from a 100-point bucket refilling at 10/s take 27.2 s at the least;
    # the client loses a little refill while answers are on their way, no more.
    least = (31 * COST - 100) / 10
    assert least - 1e-6 <= time.now <= least * 1.2


async def test_a_server_error_is_retried_with_backoff(
    client: ShopifyClient, store: respx.Router, time: FakeTime
) -> None:
    store.post(GRAPHQL).mock(side_effect=[httpx.Response(502), answered(LOCATIONS, COST, available=900)])
    assert await locations(client) == LOCATIONS
    [waited] = time.sleeps
    assert 0.25 <= waited <= 0.5


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(
            401, json={"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
        ),
        httpx.Response(
            200,
            json={
                "errors": [{"message": "Access denied for locations field.", "extensions": {"code": "ACCESS_DENIED"}}],
                "extensions": extensions(COST, 900),
            },
        ),
    ],
    ids=["invalid token", "access denied"],
)
async def test_refused_access_is_an_authentication_error_at_once(
    client: ShopifyClient, store: respx.Router, time: FakeTime, response: httpx.Response
) -> None:
    route = store.post(GRAPHQL).mock(return_value=response)
    with pytest.raises(AuthenticationError):
        await locations(client)
    assert route.call_count == 1 and time.sleeps == []


@pytest.mark.parametrize("code", ["MAX_COST_EXCEEDED", "undefinedField", "INTERNAL_SERVER_ERROR"])
async def test_other_graphql_errors_are_fatal_at_once(
    client: ShopifyClient, store: respx.Router, time: FakeTime, code: str
) -> None:
    error = {"message": f"it went wrong: {code}", "extensions": {"code": code}}
    route = store.post(GRAPHQL).mock(
        return_value=httpx.Response(200, json={"errors": [error], "extensions": extensions(COST, 900)})
    )
    with pytest.raises(GraphQLError, match=code) as raised:
        await locations(client)
    assert not raised.value.retriable
    assert route.call_count == 1 and time.sleeps == []


async def test_a_connector_paces_on_the_clock_and_sleep_its_env_lends(store: respx.Router, time: FakeTime) -> None:
    # Nothing patched on the built connector: the env's FakeTime reaches its bucket and retries.
    from hub.connectors.sdk.base import ConnectorEnv
    from hub.connectors.shopify.connector import ShopifyConnector
    from tests.fakes import FakeStore

    env = ConnectorEnv(
        uows=FakeStore(), transport=httpx.MockTransport(store.async_handler), clock=time, sleep=time.sleep
    )
    config = {"shop_url": SHOP, "access_token": "shpat_token", "webhook_secret": "shpss_secret"}
    connector = ShopifyConnector.from_stored("shop-1", config, {"locations": {"gid://shopify/Location/1": "WH1"}}, env)
    assert isinstance(connector, ShopifyConnector)
    shop = {"shop": {"name": "JXC"}}
    store.post(GRAPHQL).mock(side_effect=[throttled(10, available=4, rate=2), answered(shop, 10, available=0, rate=2)])
    await connector.check()
    await connector.aclose()
    assert time.sleeps == [(10 - 4) / 2] and time.now == 3.0
