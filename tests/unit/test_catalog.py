"""Master data: products, warehouses and partners, and their unique keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.core import handlers
from hub.core.commands import NewCustomer, NewProduct, NewSupplier, NewWarehouse, ProductChanges
from hub.core.errors import DuplicateRecord, InvalidInput, NotFound
from hub.core.events import ProductUpserted
from tests.fakes import FakeStore
from tests.unit.support import WH1, D, event_types, order_purchase, sell


async def test_a_new_product_is_announced(store: FakeStore) -> None:
    mark = len(store.events)
    product = await store.run(
        handlers.create_product, NewProduct(sku="MUG", name="Mug", barcode="4006381333931", list_price=D("9.5"))
    )
    assert product.id is not None
    assert store.tables.products["MUG"].barcode == "4006381333931"
    assert event_types(store, mark) == ["product.upserted"]
    assert store.outbox[-1].payload["list_price"] == "9.50"


async def test_a_taken_sku_is_refused_naming_the_field(store: FakeStore) -> None:
    version = store.version
    with pytest.raises(DuplicateRecord) as error:
        await store.run(handlers.create_product, NewProduct(sku="TEA", name="Other tea"))
    assert error.value.field == "sku"
    assert store.version == version
    assert store.tables.products["TEA"].name == "Tea"


@pytest.mark.parametrize(
    ("handler", "cmd"),
    [
        (handlers.create_warehouse, NewWarehouse(code=WH1, name="Again")),
        (handlers.create_supplier, NewSupplier(code="ACME", name="Again")),
        (handlers.create_customer, NewCustomer(code="SHOP", name="Again")),
    ],
)
async def test_a_taken_code_is_refused_naming_the_field(store: FakeStore, handler: object, cmd: object) -> None:
    with pytest.raises(DuplicateRecord) as error:
        await store.run(handler, cmd)  # type: ignore[arg-type]
    assert error.value.field == "code"


def test_a_warehouse_cannot_take_the_name_of_a_virtual_location() -> None:
    with pytest.raises(ValidationError):
        NewWarehouse(code="inventory-loss", name="Sneaky")


async def test_update_changes_only_the_fields_given(store: FakeStore) -> None:
    await store.run(handlers.update_product, "TEA", ProductChanges(barcode="123", list_price=D(4)))
    mark = len(store.events)
    product = await store.run(handlers.update_product, "TEA", ProductChanges(name="Green tea", barcode=None))
    assert (product.name, product.barcode, product.list_price) == ("Green tea", None, 4)
    assert event_types(store, mark) == ["product.upserted"]
    event = store.events[mark]
    assert isinstance(event, ProductUpserted) and event.name == "Green tea"


async def test_update_of_an_unknown_product_is_not_found(store: FakeStore) -> None:
    with pytest.raises(NotFound):
        await store.run(handlers.update_product, "GHOST", ProductChanges(name="Boo"))


async def test_update_to_a_taken_barcode_is_refused(store: FakeStore) -> None:
    await store.run(handlers.update_product, "TEA", ProductChanges(barcode="123"))
    with pytest.raises(DuplicateRecord) as error:
        await store.run(handlers.update_product, "CUP", ProductChanges(barcode="123"))
    assert error.value.field == "barcode"
    assert store.tables.products["CUP"].barcode is None


async def test_update_that_would_invert_the_reorder_band_is_refused(store: FakeStore) -> None:
    await store.run(handlers.update_product, "TEA", ProductChanges(reorder_point=D(10), reorder_max=D(50)))
    version = store.version
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.update_product, "TEA", ProductChanges(reorder_max=D(5)))
    assert error.value.field == "reorder_max"
    with pytest.raises(InvalidInput) as error:
        await store.run(handlers.update_product, "TEA", ProductChanges(reorder_point=D(60)))
    assert error.value.field == "reorder_point"
    assert store.version == version
    assert (store.tables.products["TEA"].reorder_point, store.tables.products["TEA"].reorder_max) == (10, 50)


async def test_an_inactive_product_can_no_longer_be_bought_or_sold(store: FakeStore) -> None:
    await store.run(handlers.update_product, "POT", ProductChanges(active=False))
    with pytest.raises(InvalidInput) as error:
        await order_purchase(store, {"TEA": (1, 1), "POT": (1, 1)})
    assert error.value.field == "lines[1].sku"
    with pytest.raises(InvalidInput) as error:
        await sell(store, {"POT": 1})
    assert error.value.field == "lines[0].sku"
