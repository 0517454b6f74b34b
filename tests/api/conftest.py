"""Fixtures for the API tests: a keyless client, and a seeded hub with stock on hand.

``seed`` builds, through the API itself:

    warehouses  SH (Shanghai), BJ (Beijing)
    supplier    ACME
    customers   C1 (no credit limit), C2 (credit limit 100.00)
    products    TEA (pcs, 5.00), RICE (kg), MUG (pcs) — MUG has no stock
    stock       SH: 20 TEA at 2.00, 12.5 kg RICE at 3.00 (one received purchase order)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hub.api.app import create_app
from hub.bootstrap import Hub
from tests import openapi_conformance
from tests.api.support import create, purchase


@pytest.fixture
async def anon(hub: Hub) -> AsyncIterator[httpx.AsyncClient]:
    """A client of its own that never sends a key (``client`` shares headers with ``api``)."""
    transport = httpx.ASGITransport(app=create_app(hub_=hub), raise_app_exceptions=False)
    hooks = {"response": [openapi_conformance.check]}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", event_hooks=hooks) as http:
        yield http


@pytest.fixture
async def seed(api: httpx.AsyncClient) -> httpx.AsyncClient:
    for path, body in [
        ("/v1/warehouses", {"code": "SH", "name": "Shanghai"}),
        ("/v1/warehouses", {"code": "BJ", "name": "Beijing"}),
        ("/v1/suppliers", {"code": "ACME", "name": "Acme Trading"}),
        ("/v1/customers", {"code": "C1", "name": "Walk-in"}),
        ("/v1/customers", {"code": "C2", "name": "Small shop", "credit_limit": "100.00"}),
        ("/v1/products", {"sku": "TEA", "name": "Green tea", "list_price": "5.00"}),
        ("/v1/products", {"sku": "RICE", "name": "Rice", "unit": "kg"}),
        ("/v1/products", {"sku": "MUG", "name": "Mug"}),
    ]:
        await create(api, path, body)
    await purchase(api, [("TEA", 20, "2.00"), ("RICE", 12.5, "3.00")])
    return api
