"""``hub demo`` with its store: the whole hub running, a simulated Shopify store connected.

After the sample business is loaded, the hub runs as ``hub serve`` runs it — the API,
the relay, the subscribers and the connector workers — next to a simulated store, and
the story is told as it happens: the stock the hub pushed to the store, orders placed
in the store arriving as sales orders, a shipment made in the hub becoming the store's
fulfillment. Then it keeps running (and keeps reporting orders that arrive) until
Ctrl-C, so a newcomer can place orders with ``curl`` and watch.

Every step waits for the real machinery — webhooks, the work queue, the cost-paced
client — never for a fixed time; a step that does not happen within
:data:`STEP_TIMEOUT` ends the demo with a :class:`DemoError` saying which.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from decimal import Decimal
from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from hub.api.app import create_app
from hub.bootstrap import Hub
from hub.connectors.channels import channel_stock
from hub.connectors.sdk.errors import ConnectorError
from hub.core import handlers
from hub.core.commands import NewShipment, ShipLine
from hub.core.errors import DomainError
from hub.core.numbers import normalize
from hub.db import tables as t
from hub.demo import shop
from hub.demo.load import DemoError
from hub.demo.report import DemoReport
from hub.outbox.runtime import EventRuntime
from hub.simulators.shopify import ShopifySimulator, serve

__all__ = ["STEP_TIMEOUT", "run_store"]

#: Seconds any one step of the story may take before the demo gives up on it.
STEP_TIMEOUT = 60.0


class _Server(uvicorn.Server):
    """The API server, leaving Ctrl-C to the demo (which stops everything in order)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def _api(hub: Hub, host: str, port: int) -> AsyncIterator[None]:
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only then (else ~40 ms per response).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise DemoError(f"cannot listen on {host}:{port} ({error.strerror}); pick another with --port") from error
    server = _Server(uvicorn.Config(create_app(hub.settings, hub_=hub), log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="hub-demo-api")
    try:
        await _until(lambda: _ready(server, task), "the hub's API to start")
        yield
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()


async def _ready(server: uvicorn.Server, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()  # re-raise why it stopped
        raise DemoError("the hub's API stopped while starting")
    return bool(server.started)


@contextlib.asynccontextmanager
async def _events(hub: Hub) -> AsyncIterator[None]:
    runtime = EventRuntime(hub)
    runtime.start()
    try:
        yield
    finally:
        await runtime.close()


async def _until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = STEP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise DemoError(f"gave up waiting for {what} after {timeout:.0f} s")
        await asyncio.sleep(0.1)


async def run_store(
    hub: Hub, report: DemoReport, console: Console, *, host: str, port: int, stop: asyncio.Event
) -> None:
    """Run the hub with the demo store until ``stop`` is set, telling what happens."""
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{local}:{port}"
    sim = shop.open_store(f"{base}/v1/webhooks/{shop.CONNECTOR_ID}", after_id=await shop.last_order_id(hub))
    async with serve(sim) as shop_url:
        # Connected before the connector workers start, so none runs for an earlier store.
        try:
            await shop.connect(hub, sim, shop_url)
        except (ConnectorError, DomainError) as error:
            raise DemoError(f"could not connect the demo store: {error}") from error
        async with _api(hub, host, port), _events(hub):
            story = _Story(hub, sim, console)
            await _unless(stop, story.tell(report, base, shop_url))
            await story.watch(stop)
    console.print("Stopped.")


async def _unless(stop: asyncio.Event, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` unless Ctrl-C comes first (then it is cancelled)."""
    task, halt = asyncio.create_task(work), asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, halt}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, halt):
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
    if task.done() and not task.cancelled():
        task.result()


class _Story:
    def __init__(self, hub: Hub, sim: ShopifySimulator, console: Console) -> None:
        self.hub, self.sim, self.console = hub, sim, console
        #: Store orders told as arrived.
        self.told: set[str] = set()

    async def tell(self, report: DemoReport, base: str, shop_url: str) -> None:
        self.console.rule("[bold]The hub, live, with a simulated Shopify store")
        self.console.print(f"hub API {base}   ·   Shopify store (simulated) {shop_url}", highlight=False)
        await self.stock("Stock pushed to the store")
        orders = await self.orders()
        await self.ship(orders[0])
        await self.stock("Stock in the store after the orders")
        _hints(self.console, report, base, shop_url)

    async def _offers(self) -> list[dict[str, Any]]:
        row = await self.hub.connectors.instance(shop.CONNECTOR_ID)
        allocation = await self.hub.connectors.allocation_of(row)
        assert allocation is not None
        skus = [variant.sku for variant in self.sim.store.variants.values()]
        return await channel_stock(self.hub.reads, allocation, skus)

    def _shown(self, sku: str) -> int:
        return int(self.sim.store.level(sku, shop.LOCATION).quantities["available"])

    async def stock(self, title: str) -> None:
        """Wait until the store shows what the channel may sell of every SKU; show it."""

        async def pushed() -> bool:
            return all(self._shown(row["sku"]) == int(row["available_to_sell"]) for row in await self._offers())

        await _until(pushed, "the stock to reach the store")
        percent, buffer = shop.ALLOCATION["percent"], shop.ALLOCATION["buffer"]
        table = Table("SKU", f"available in {shop.WAREHOUSE}", f"offered ({percent} % − {buffer})", "store shows")
        async with self.hub.uow.reader() as uow:
            levels = await uow.stock.for_skus([variant.sku for variant in self.sim.store.variants.values()])
        for row in await self._offers():
            held = {level.warehouse: level.available for level in levels.get(row["sku"], [])}
            available = held.get(shop.WAREHOUSE, Decimal(0))
            table.add_row(row["sku"], _n(available), _n(row["available_to_sell"]), str(self._shown(row["sku"])))
        self.console.print(f"\n[bold]{title}[/] (inventorySetQuantities, paced by the store's cost bucket)")
        self.console.print(table)

    async def orders(self) -> list[str]:
        """Shoppers place :data:`shop.ORDERS`; wait for each to arrive as a sales order."""
        placed = []
        for email, lines in shop.ORDERS:
            order = self.sim.store.create_order([{"sku": sku, "quantity": qty} for sku, qty in lines], email=email)
            items = ", ".join(f"{qty} × {sku}" for sku, qty in lines)
            self.console.print(f"\nA shopper ({email}) places order {order.name} in the store: {items}")
            placed.append(order.id)
        await _until(lambda: self._arrived(placed), "the store's orders to arrive in the hub")
        self._arrivals(await self._sales_orders(placed))
        return placed

    def _arrivals(self, rows: list[Any]) -> None:
        for row in rows:
            self.told.add(row.external_id)
            name = self.sim.store.order(row.external_id).name
            self.console.print(f"Store order {name} arrived as sales order {row.id} ({row.status})", highlight=False)

    async def _sales_orders(self, gids: list[str]) -> list[Any]:
        so = t.sales_orders.c
        async with self.hub.uow.reader() as uow:
            stmt = select(t.sales_orders).where(so.channel == shop.CONNECTOR_ID, so.external_id.in_(gids))
            return list((await uow.session.execute(stmt.order_by(so.id))).all())

    async def _arrived(self, gids: list[str]) -> bool:
        return len(await self._sales_orders(gids)) == len(gids)

    async def ship(self, gid: str) -> None:
        """Ship one arrived order in the hub; wait for the store's fulfillment."""
        (row,) = await self._sales_orders([gid])
        async with self.hub.uow() as uow:
            order = await uow.sales_orders.get(row.id)
            assert order is not None
            lines = [ShipLine(sku=line.sku, qty=line.qty) for line in order.lines]
            await handlers.ship_sales_order(
                row.id, NewShipment(lines=lines, carrier="SF Express", tracking="SF1420000000001"), uow
            )
            await uow.commit()
        self.console.print(f"\nShipped sales order {row.id} in the hub: SF Express SF1420000000001")
        store_order = self.sim.store.order(gid)

        async def fulfilled() -> bool:
            return bool(store_order.fulfillments)

        await _until(fulfilled, "the shipment to reach the store")
        for fulfillment in store_order.fulfillments:
            numbers = ", ".join(f"{tracking.company} {tracking.number}" for tracking in fulfillment.tracking)
            self.console.print(
                f"Store order {store_order.name} fulfilled in the store: {fulfillment.name} ({numbers})",
                highlight=False,
            )

    async def watch(self, stop: asyncio.Event) -> None:
        """Until ``stop``: tell each further store order as it arrives in the hub."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
            new = [order.id for order in self.sim.store.orders.values() if order.id not in self.told]
            self._arrivals(await self._sales_orders(new))


def _hints(console: Console, report: DemoReport, base: str, shop_url: str) -> None:
    # Commands are printed unwrapped and unstyled so that they paste into a shell as they are.
    console.print(
        f"\nThe hub keeps running. An admin API key, shown once (withdraw it with: hub keys revoke {report.key_id}):"
    )
    console.print(report.key, soft_wrap=True, highlight=False, markup=False)
    order = '{"line_items": [{"sku": "TEA-PUER-357", "quantity": 1}], "email": "you@example.com"}'
    lines = [
        f"export HUB_KEY={report.key}",
        f'curl -s -H "Authorization: Bearer $HUB_KEY" "{base}/v1/connectors/{shop.CONNECTOR_ID}"',
        f'curl -s -H "Authorization: Bearer $HUB_KEY" "{base}/v1/channels/{shop.CONNECTOR_ID}/stock"',
        f'curl -s -H "Authorization: Bearer $HUB_KEY" "{base}/v1/sales-orders"',
        f'curl -s "{shop_url}/_simulator/state"',
        "# place an order in the store, then watch it arrive here:",
        f"curl -s -X POST -H 'Content-Type: application/json' -d '{order}' {shop_url}/_simulator/orders",
    ]
    for line in lines:
        console.print("  " + line, soft_wrap=True, highlight=False, markup=False)
    console.print("Press Ctrl-C to stop.")


def _n(value: Decimal) -> str:
    return str(normalize(value))
