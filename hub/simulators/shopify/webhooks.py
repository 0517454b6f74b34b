"""Signed webhook deliveries, in the background, with retries — and ways to misbehave.

Shopify delivers at least once, in no promised order, signs each body with
``X-Shopify-Hmac-SHA256`` = base64(HMAC-SHA256(raw body, app secret)) and names each
delivery with ``X-Shopify-Webhook-Id``, which stays the same when a delivery is retried
or redelivered. The test hooks make those guarantees bite: ``duplicate`` sends every
delivery twice, ``hold()``/``release(reverse=True)`` reorders them, ``bad_signature``
signs with the wrong secret, and :meth:`WebhookSender.redeliver` repeats one by id.
A :class:`~hub.simulators.shopify.faults.FaultPlan` drops (never sends) or
duplicates deliveries at random, seeded.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from hub.connectors.shopify.schema import API_VERSION
from hub.simulators.shopify.clock import Clock, system_clock, to_datetime
from hub.simulators.shopify.faults import FaultPlan
from hub.simulators.shopify.payloads import payload_for

__all__ = ["DEFAULT_TOPICS", "TOPICS", "Delivery", "WebhookSender", "sign"]

#: Every topic the simulator can send.
TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/cancelled",
        "refunds/create",
        "fulfillments/create",
        "inventory_levels/update",
    }
)
#: What an order-sync app subscribes to; ``inventory_levels/update`` is opt-in (``topics=``).
DEFAULT_TOPICS = TOPICS - {"inventory_levels/update"}


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    """One webhook (one id); ``attempts`` lists every POST of it: (HTTP status or None, error)."""

    webhook_id: str
    event_id: str
    topic: str
    body: bytes
    triggered_at: str
    attempts: list[tuple[int | None, str | None]] = field(default_factory=list)
    delivered: bool = False
    #: Lost on purpose by the fault plan: never sent (the poll must find what it told of).
    dropped: bool = False

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


class WebhookSender:
    def __init__(
        self,
        *,
        shop_domain: str,
        url: str | None = None,
        secret: str = "shpss_simulator",
        api_version: str = API_VERSION,
        topics: Sequence[str] | None = None,
        retry_delays: Sequence[float] = (0.05, 0.25, 1.0),
        clock: Clock = system_clock,
        transport: httpx.AsyncBaseTransport | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        self.faults = faults or FaultPlan()
        self.shop_domain, self.url, self.secret, self.api_version = shop_domain, url, secret, api_version
        self.topics = set(topics if topics is not None else DEFAULT_TOPICS)
        self.retry_delays, self.clock, self.transport = tuple(retry_delays), clock, transport
        self.duplicate = False  # send every delivery twice, same id
        self.bad_signature = False  # sign with the wrong secret
        self.deliveries: list[Delivery] = []  # in the order they were triggered
        self._held: list[Delivery] | None = None
        self._pending: list[Delivery] = []
        self._queue: asyncio.Queue[Delivery] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- the store's listener ----------------------------------------------------------

    def __call__(self, topic: str, record: Any) -> None:
        """Snapshot ``record`` as ``topic``'s body now; deliver it soon."""
        if self.url is None or topic not in self.topics:
            return
        body = json.dumps(payload_for(record), separators=(",", ":")).encode()
        moment = to_datetime(self.clock()).isoformat().replace("+00:00", "Z")
        delivery = Delivery(str(uuid.uuid4()), str(uuid.uuid4()), topic, body, moment)
        self.deliveries.append(delivery)
        fault = self.faults.webhook_fault()
        if fault == "drop":
            delivery.dropped = True
            return
        for _ in range(2 if self.duplicate or fault == "duplicate" else 1):
            self._submit(delivery)

    def redeliver(self, webhook_id: str) -> Delivery:
        """Send a past delivery again, same id and body, as Shopify's retries do."""
        delivery = next(d for d in self.deliveries if d.webhook_id == webhook_id)
        self._submit(delivery)
        return delivery

    def hold(self) -> None:
        """Keep deliveries back until :meth:`release`."""
        if self._held is None:
            self._held = []

    def release(self, *, reverse: bool = False) -> None:
        held, self._held = self._held or [], None
        for delivery in reversed(held) if reverse else held:
            self._submit(delivery)

    # -- sending ---------------------------------------------------------------------------

    def headers(self, delivery: Delivery) -> dict[str, str]:
        secret = self.secret if not self.bad_signature else self.secret + "-wrong"
        return {
            "Content-Type": "application/json",
            "User-Agent": "Shopify-Captain-Hook",
            "X-Shopify-Topic": delivery.topic,
            "X-Shopify-Hmac-SHA256": sign(delivery.body, secret),
            "X-Shopify-Shop-Domain": self.shop_domain,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": delivery.webhook_id,
            "X-Shopify-Event-Id": delivery.event_id,
            "X-Shopify-Triggered-At": delivery.triggered_at,
        }

    def _submit(self, delivery: Delivery) -> None:
        if self._held is not None:
            self._held.append(delivery)
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # called from plain synchronous code: sent once a loop drains
            self._pending.append(delivery)
            return
        self._start()
        assert self._queue is not None
        self._queue.put_nowait(delivery)

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a queue, task and client belong to one event loop
            if self._queue is not None:
                while not self._queue.empty():
                    self._pending.append(self._queue.get_nowait())
            self._queue, self._worker, self._client, self._loop = asyncio.Queue(), None, None, loop
        assert self._queue is not None
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._work(), name="shopify-sim-webhooks")
        pending, self._pending = self._pending, []
        for delivery in pending:
            self._queue.put_nowait(delivery)

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            delivery = await self._queue.get()
            try:
                await self._send(delivery)
            except Exception as error:  # a broken delivery must not stop the ones behind it
                delivery.attempts.append((None, repr(error)))
            finally:
                self._queue.task_done()

    async def _send(self, delivery: Delivery) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self.transport, timeout=10.0)
        for delay in (*self.retry_delays, None):
            status: int | None = None
            try:
                response = await self._client.post(
                    self.url or "", content=delivery.body, headers=self.headers(delivery)
                )
                status = response.status_code
                delivery.attempts.append((status, None))
            except httpx.HTTPError as error:
                delivery.attempts.append((None, repr(error)))
            if status is not None and 200 <= status < 300:
                delivery.delivered = True
                return
            if delay is None:
                return  # given up, as Shopify eventually does
            await asyncio.sleep(delay)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until every submitted delivery has been sent or given up on."""
        self._start()
        assert self._queue is not None
        await asyncio.wait_for(self._queue.join(), timeout)

    async def aclose(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._queue = self._loop = None
