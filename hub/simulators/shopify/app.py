"""The simulator: one store, its rate-limit bucket and webhook sender, as an ASGI app.

``POST /admin/api/{version}/graphql.json`` speaks the Admin GraphQL API (any version is
accepted and counted; the schema served is 2025-01), authenticated by
``X-Shopify-Access-Token``; ``/_simulator/...`` is the test-control API (``control.py``).

    sim = ShopifySimulator(access_token="shpat_test", clock=ManualClock())
    sim.store.seed({"locations": ["Main"], "products": [...]})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(sim.app), base_url="http://shop") as client: ...
    await sim.aclose()
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hub.connectors.shopify.schema import API_VERSION
from hub.simulators.shopify.catalog import StoreError
from hub.simulators.shopify.clock import Clock, system_clock
from hub.simulators.shopify.control import control_router
from hub.simulators.shopify.execute import run_graphql
from hub.simulators.shopify.faults import THROTTLED_BODY, FaultPlan, FaultSettings
from hub.simulators.shopify.store import ShopifyStore
from hub.simulators.shopify.throttle import PLANS, LeakyBucket
from hub.simulators.shopify.webhooks import TOPICS, WebhookSender

__all__ = ["INVALID_TOKEN", "ShopifySimulator"]

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class ShopifySimulator:
    def __init__(
        self,
        *,
        access_token: str = "shpat_simulator",
        shop_name: str = "jxc simulated store",
        domain: str = "jxc-sim.myshopify.com",
        currency: str = "USD",
        bucket_size: float = 1000.0,
        restore_rate: float = 100.0,
        max_query_cost: float = 1000.0,
        clock: Clock = system_clock,
        webhook_url: str | None = None,
        webhook_secret: str = "shpss_simulator",
        webhook_retry_delays: Sequence[float] = (0.05, 0.25, 1.0),
        webhook_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.access_token = access_token
        self.store = ShopifyStore(name=shop_name, domain=domain, currency=currency, clock=clock)
        self.bucket = LeakyBucket(bucket_size, restore_rate, max_query_cost=max_query_cost, clock=clock)
        #: Injected misbehaviour (none until configured): see ``faults.py``.
        self.faults = FaultPlan()
        self.webhooks = WebhookSender(
            faults=self.faults,
            shop_domain=domain,
            url=webhook_url,
            secret=webhook_secret,
            clock=clock,
            retry_delays=webhook_retry_delays,
            transport=webhook_transport,
        )
        self.store.listeners.append(self.webhooks)
        self.app = create_app(self)

    @property
    def counters(self) -> Any:
        return self.store.counters

    def graphql_path(self, version: str = API_VERSION) -> str:
        return f"/admin/api/{version}/graphql.json"

    def configure(
        self,
        *,
        access_token: str | None = None,
        bucket_size: float | None = None,
        restore_rate: float | None = None,
        plan: str | None = None,
        max_query_cost: float | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_topics: Sequence[str] | None = None,
        webhook_duplicate: bool | None = None,
        webhook_bad_signature: bool | None = None,
        webhook_retry_delays: Sequence[float] | None = None,
        faults: FaultSettings | Mapping[str, Any] | None = None,
    ) -> None:
        """Change any setting; ``plan`` sets the restore rate of a Shopify plan by name;
        ``faults`` replaces the fault plan (``{}`` turns every fault off)."""
        if plan is not None:
            if plan.lower() not in PLANS:
                raise ValueError(f"unknown plan {plan!r}; one of {', '.join(PLANS)}")
            restore_rate = PLANS[plan.lower()]
        if access_token is not None:
            self.access_token = access_token
        self.bucket.configure(size=bucket_size, restore_rate=restore_rate, max_query_cost=max_query_cost)
        hooks = self.webhooks
        hooks.url = webhook_url if webhook_url is not None else hooks.url
        hooks.secret = webhook_secret if webhook_secret is not None else hooks.secret
        if webhook_topics is not None:
            unknown = set(webhook_topics) - TOPICS
            if unknown:
                raise ValueError(f"unknown webhook topics {sorted(unknown)}; known: {sorted(TOPICS)}")
            hooks.topics = set(webhook_topics)
        hooks.duplicate = webhook_duplicate if webhook_duplicate is not None else hooks.duplicate
        hooks.bad_signature = webhook_bad_signature if webhook_bad_signature is not None else hooks.bad_signature
        if webhook_retry_delays is not None:
            hooks.retry_delays = tuple(webhook_retry_delays)
        if faults is not None:
            self.faults.configure(faults if isinstance(faults, FaultSettings) else FaultSettings.model_validate(faults))

    def config_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "bucket_size": self.bucket.size,
            "restore_rate": self.bucket.restore_rate,
            "max_query_cost": self.bucket.max_query_cost,
            "webhook_url": self.webhooks.url,
            "webhook_topics": sorted(self.webhooks.topics),
            "webhook_duplicate": self.webhooks.duplicate,
            "webhook_bad_signature": self.webhooks.bad_signature,
            "webhook_retry_delays": list(self.webhooks.retry_delays),
            "shop_domain": self.store.domain,
            "faults": self.faults.settings.model_dump(),
        }

    def counters_json(self) -> dict[str, Any]:
        return {**asdict(self.store.counters), "throttle_status": self.bucket.status()}

    def reset(self) -> None:
        """Empty store, zero counters, full bucket, no delivery log."""
        self.store.reset()
        self.store.reset_counters()
        self.bucket.refill()
        self.webhooks.deliveries.clear()

    async def aclose(self) -> None:
        await self.webhooks.aclose()


def create_app(sim: ShopifySimulator) -> FastAPI:
    app = FastAPI(title="Shopify Admin API simulator", docs_url=None, redoc_url=None)

    @app.post("/admin/api/{version}/graphql.json")
    async def graphql(version: str, request: Request) -> JSONResponse:
        token = request.headers.get("X-Shopify-Access-Token") or ""
        if not hmac.compare_digest(token.encode(), sim.access_token.encode()):
            return JSONResponse({"errors": INVALID_TOKEN}, status_code=401)
        raw = await request.body()
        if request.headers.get("content-type", "").startswith("application/graphql"):
            body: Any = {"query": raw.decode()}
        else:
            try:
                body = await request.json()
            except ValueError:
                return JSONResponse({"errors": "Could not parse the request body as JSON"}, status_code=400)
        fault = sim.faults.api_fault()
        if fault == "429":
            return JSONResponse(THROTTLED_BODY, status_code=429, headers={"Retry-After": "1.0"})
        if fault == "5xx":
            return JSONResponse({"errors": "Internal Server Error"}, status_code=sim.faults.server_error())
        if fault == "slow":
            await asyncio.sleep(sim.faults.settings.slow_ms / 1000)
        status, payload = run_graphql(sim.store, sim.bucket, body, version)
        if fault == "timeout":  # done in the store, but the answer never makes it back
            await asyncio.sleep(sim.faults.settings.timeout_ms / 1000)
            return JSONResponse({"errors": "Gateway Timeout"}, status_code=504)
        return JSONResponse(payload, status_code=status)

    app.include_router(control_router(sim))

    @app.exception_handler(StoreError)
    async def not_found(_request: Request, error: StoreError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=404)

    @app.exception_handler(ValueError)
    async def unprocessable(_request: Request, error: ValueError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=422)

    return app
