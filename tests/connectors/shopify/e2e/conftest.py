"""Fixtures for the Shopify end-to-end tests: a running hub and a simulated store.

Each test gets the hub as ``hub serve`` runs it — the API served by uvicorn on a real
port, with the relay, the subscribers and the connector runtime running beside it —
and the Shopify simulator on a port of its own, whose webhooks post to the hub's
``/v1/webhooks/shopify``. The ``flavour`` (indirectly parametrized, see ``support.py``)
picks the hub's database and transport: SQLite or PostgreSQL with the local transport,
or PostgreSQL with Kafka. The simulator's app sits behind a :class:`Wiretap` (see
``support.py``), and every answer the hub gives is checked, after the test, for the
connector's access token and webhook secret.

The store and the hub start with the same catalogue:

    hub warehouses  SH (Shanghai DC), HZ (Hangzhou Store)
    hub products    TEA, CUP, MUG (MUG never stocked)
    hub stock       SH: 100 TEA, 40 CUP   HZ: 20 TEA
    store           locations Shanghai DC, Hangzhou Store (mapped), Beijing Store (not
                    mapped); variants TEA, CUP, MUG, GHOST (a SKU the hub lacks)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from hub.api.app import create_app
from hub.bootstrap import build, default_subscribers
from hub.config import Settings
from hub.simulators.shopify import ShopifySimulator, serve
from hub.outbox.runtime import EventRuntime
from tests.conftest import _empty_postgres
from tests.connectors.shopify.e2e.support import CONNECTOR, SECRET, TOKEN, Flavour, Stack, Wiretap

STORE_SEED = {
    "locations": ["Shanghai DC", "Hangzhou Store", "Beijing Store"],
    "products": [
        {
            "title": "Jasmine Tea",
            "variants": [
                {
                    "sku": "TEA",
                    "price": "12.50",
                    "inventory": {"Shanghai DC": 7, "Hangzhou Store": 2, "Beijing Store": 4},
                }
            ],
        },
        {"title": "Celadon Cup", "variants": [{"sku": "CUP", "price": "18.00", "inventory": {"Shanghai DC": 3}}]},
        {"title": "Mug", "variants": [{"sku": "MUG", "price": "9.00", "inventory": {"Shanghai DC": 0}}]},
        {"title": "Ghost", "variants": [{"sku": "GHOST", "price": "1.00", "inventory": {"Shanghai DC": 5}}]},
    ],
}


@pytest.fixture
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """The hub's database and transport, resolved outside the event loop (the Kafka and
    PostgreSQL fixtures run their own)."""
    name = str(request.param)
    if name == "sqlite":
        return Flavour(name, request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("postgres_url"))
    asyncio.run(_empty_postgres(url))
    if name == "postgres":
        return Flavour(name, url)
    return Flavour(name, url, transport="kafka", bootstrap=str(request.getfixturevalue("kafka")))


@contextlib.asynccontextmanager
async def _served(app: object) -> AsyncIterator[str]:
    """``app`` under uvicorn on a free port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, see serve()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))  # type: ignore[arg-type]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()


@pytest.fixture
async def stack(flavour: Flavour) -> AsyncIterator[Stack]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=flavour.database_url,
        transport=flavour.transport,
        kafka_bootstrap=flavour.bootstrap or "127.0.0.1:9",
        kafka_partitions=2,
        migrate_on_start=False,
        secret_key="e2e-secret-key",
        poll_interval=0.05,
        connector_refresh=0.5,
        consumer_retry_delay=0.05,
        _env_file=None,
    )
    hub = build(settings, subscribers=default_subscribers(settings))
    sim = ShopifySimulator(access_token=TOKEN, webhook_secret=SECRET, webhook_retry_delays=(0.05, 0.2))
    sim.store.seed(STORE_SEED)
    wiretap = Wiretap(sim.app)
    sim.app = wiretap  # type: ignore[assignment]  # serve() runs sim.app: the store behind the tap
    events = EventRuntime(hub)
    try:
        async with (
            _served(create_app(hub_=hub)) as hub_url,
            serve(sim) as shop_url,
            httpx.AsyncClient(base_url=hub_url, timeout=30) as api,
            httpx.AsyncClient(base_url=shop_url, timeout=30) as shop,
        ):
            _record, key = await hub.keys.create({"admin"}, name="e2e")
            api.headers["Authorization"] = f"Bearer {key}"
            sim.configure(webhook_url=f"{hub_url}/v1/webhooks/{CONNECTOR}")
            events.start()
            stack = Stack(hub, events, api, sim, wiretap, shop, shop_url)

            async def keep(response: httpx.Response) -> None:
                stack.answers.append((await response.aread()).decode(errors="replace"))

            api.event_hooks["response"].append(keep)
            await stack.seed_hub()
            try:
                yield stack
            finally:
                await stack.events.close(timeout=20)  # the test may have restarted it
            leaked = [body for body in stack.answers if TOKEN in body or SECRET in body]
            assert not leaked, f"the hub answered a connector secret: {leaked[0][:500]}"
    finally:
        await hub.close()
