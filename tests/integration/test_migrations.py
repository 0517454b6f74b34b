"""The Alembic migrations build exactly the schema the code declares, and a downgrade that cannot
keep what the database holds refuses before it changes anything."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hub.db.migrate import alembic_config, upgrade_async
from hub.db.tables import metadata
from tests.api.support import create, purchase

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def test_migrated_schema_matches_the_tables_in_code(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def _business_with(api: httpx.AsyncClient, body: dict[str, Any]) -> None:
    """A sales order (``body`` on top of one tea at 10.00), shipped and invoiced."""
    for path, thing in [
        ("/v1/warehouses", {"code": "SH", "name": "Shanghai"}),
        ("/v1/customers", {"code": "C1", "name": "Walk-in"}),
        ("/v1/suppliers", {"code": "ACME", "name": "Acme"}),
        ("/v1/products", {"sku": "TEA", "name": "Tea"}),
    ]:
        await create(api, path, thing)
    await purchase(api, [("TEA", 1, "2.00")])
    line = {"sku": "TEA", "qty": 1, "unit_price": "10"}
    order = await create(api, "/v1/sales-orders", {"customer": "C1", "warehouse": "SH", "lines": [line]} | body)
    await create(api, f"/v1/sales-orders/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 1}]})
    await create(api, "/v1/invoices", {"sales_order": order["id"]})


async def _revision(database_url: str) -> str:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return str((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one())
    finally:
        await engine.dispose()


async def _downgrade(database_url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)


SHIPPING = {"charges": [{"kind": "shipping", "description": "Courier", "amount": "3.00"}]}
LINE_DISCOUNT = {"lines": [{"sku": "TEA", "qty": 1, "unit_price": "10", "discount": "1.00"}]}


@pytest.mark.parametrize(
    ("body", "below", "blocking"),
    [
        (SHIPPING, "0009", "1 sales order charges, 1 invoice lines of charges"),
        (LINE_DISCOUNT, "0010", "1 sales order lines with a discount"),
    ],
)
async def test_a_downgrade_that_would_lose_records_refuses_before_changing_anything(
    api: httpx.AsyncClient, database_url: str, body: dict[str, Any], below: str, blocking: str
) -> None:
    await _business_with(api, body)
    try:
        with pytest.raises(CommandError, match=f"cannot downgrade below revision .*: the database holds {blocking},"):
            await _downgrade(database_url, below)
        assert await _revision(database_url) == HEAD
        await test_migrated_schema_matches_the_tables_in_code(database_url)
    finally:
        await upgrade_async(database_url)


async def test_every_migration_downgrades_and_upgrades_again_without_such_records(
    api: httpx.AsyncClient, database_url: str
) -> None:
    await _business_with(api, {})
    try:
        await _downgrade(database_url, "0009")
        assert await _revision(database_url) == "0009"
        await upgrade_async(database_url)
        await test_migrated_schema_matches_the_tables_in_code(database_url)
    finally:
        await upgrade_async(database_url)
