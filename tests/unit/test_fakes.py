"""The fake unit of work behaves like a transaction, or the other unit tests prove nothing."""

from __future__ import annotations

import pytest

from hub.core import handlers
from hub.core.commands import NewProduct, NewSalesOrder, NewWarehouse, SalesLine
from hub.core.errors import DuplicateRecord
from tests.fakes import FakeStore
from tests.unit.support import CUSTOMER, WH1, D, buy, level


async def test_rollback_undoes_every_change_and_drops_the_events(store: FakeStore) -> None:
    await buy(store, "TEA", 5, 2)
    events = len(store.events)
    async with store() as uow:
        await handlers.create_warehouse(NewWarehouse(code="WH9", name="Annex"), uow)
        cmd = NewSalesOrder(customer=CUSTOMER, warehouse=WH1, lines=[SalesLine(sku="TEA", qty=D(2), unit_price=D(1))])
        await handlers.create_sales_order(cmd, uow)
        assert (await uow.stock.lock([("TEA", WH1)]))[("TEA", WH1)].reserved == 2
        # Leaving without commit is a rollback.
    assert "WH9" not in store.tables.warehouses
    assert not store.tables.sales_orders
    assert level(store, "TEA").reserved == 0
    assert len(store.events) == events


async def test_commit_writes_the_events_in_order_as_envelopes(store: FakeStore) -> None:
    before = len(store.outbox)
    await store.run(handlers.create_warehouse, NewWarehouse(code="WH9", name="Annex"))
    (envelope,) = store.outbox[before:]
    assert envelope.type == "warehouse.upserted"
    assert envelope.aggregate_id == "WH9"
    assert envelope.payload == {"code": "WH9", "name": "Annex"}


async def test_returned_objects_do_not_alias_the_committed_state(store: FakeStore) -> None:
    product = await store.run(handlers.create_product, NewProduct(sku="MUG", name="Mug"))
    product.name = "edited after commit"
    assert store.tables.products["MUG"].name == "Mug"


async def test_duplicate_barcode_is_refused_and_ids_are_not_reused_after_a_rollback() -> None:
    store = FakeStore()
    first = await store.run(handlers.create_product, NewProduct(sku="A", name="A", barcode="111"))
    with pytest.raises(DuplicateRecord) as error:
        await store.run(handlers.create_product, NewProduct(sku="B", name="B", barcode="111"))
    assert error.value.field == "barcode"
    async with store() as uow:
        await handlers.create_product(NewProduct(sku="B", name="B"), uow)
    second = await store.run(handlers.create_product, NewProduct(sku="C", name="C"))
    assert first.id is not None and second.id is not None
    assert second.id > first.id + 1
    assert sorted(store.tables.products) == ["A", "C"]


async def test_a_commit_over_a_newer_state_is_refused_rather_than_losing_an_update() -> None:
    store = FakeStore()
    async with store() as slow:
        await handlers.create_warehouse(NewWarehouse(code="A", name="A"), slow)
        await store.run(handlers.create_warehouse, NewWarehouse(code="B", name="B"))
        with pytest.raises(RuntimeError, match="concurrency"):
            await slow.commit()
    assert sorted(store.tables.warehouses) == ["B"]
