"""The FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import hub
from hub.api import openapi, problems
from hub.api.request_id import RequestId
from hub.api.routers import (
    catalog,
    connectors,
    credit_notes,
    finance,
    health,
    inventory,
    invoices,
    metrics,
    payables,
    payments,
    production,
    purchasing,
    reports,
    sales,
    stock,
)
from hub.bootstrap import Hub, build, default_subscribers
from hub.config import Settings
from hub.outbox.runtime import EventRuntime

__all__ = ["create_app"]

log = logging.getLogger("hub.api")


def create_app(settings: Settings | None = None, *, hub_: Hub | None = None) -> FastAPI:
    """The hub's HTTP API. Pass ``hub_`` to run over an already built (and migrated) hub."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if hub_ is not None:
            app.state.hub = hub_
            yield
            return
        settings_ = settings or Settings()
        built = build(settings_, subscribers=default_subscribers(settings_))
        if built.settings.migrate_on_start:
            await built.migrate()
        app.state.hub = built
        # hub serve is the whole hub in one process: API, relay and subscribers.
        events = EventRuntime(built)
        events.start()
        try:
            yield
        finally:
            await events.close()
            await built.close()

    app = FastAPI(
        title="jxc-hub",
        version=hub.__version__,
        description=(
            "The 进销存 integration hub: products, stock ledger, purchasing, sales, transfers, counts, production."
        ),
        lifespan=lifespan,
        # Operation ids are the endpoint functions' names: short, stable, used by links.
        generate_unique_id_function=lambda route: route.name,
    )
    if hub_ is not None:
        app.state.hub = hub_  # usable at once, even by clients that skip the lifespan
    problems.install(app)
    # Storefront reads first: a request is matched against the routes in this order, and
    # each route tried costs a storefront read ~10 µs.
    modules = (
        health,
        stock,
        catalog,
        connectors,
        metrics,
        purchasing,
        sales,
        inventory,
        finance,
        invoices,
        credit_notes,
        payments,
        production,
        reports,
        payables,
    )
    for module in modules:
        app.include_router(module.router)
    #: Every route of the API, for the ``Allow`` header of a 405 (hub.api.problems).
    app.state.api_routes = [route for module in modules for route in module.router.routes]
    openapi.install(app)

    # Every event a request causes carries its id as correlation_id.
    app.add_middleware(RequestId)

    return app
