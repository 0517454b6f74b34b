"""Handlers for master data: products, warehouses, suppliers, customers."""

from __future__ import annotations

from hub.core.catalog import Customer, Product, Supplier, Warehouse
from hub.core.commands import NewCustomer, NewProduct, NewSupplier, NewWarehouse, ProductChanges
from hub.core.errors import DuplicateRecord, InvalidInput, NotFound
from hub.core.events import CustomerUpserted, ProductUpserted, SupplierUpserted, WarehouseUpserted
from hub.core.handlers._stock import refresh_alerts
from hub.core.handlers.finance import known_tax_rate
from hub.core.ports import UnitOfWork

__all__ = ["create_customer", "create_product", "create_supplier", "create_warehouse", "update_product"]


def _product_upserted(product: Product) -> ProductUpserted:
    return ProductUpserted(
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        barcode=product.barcode,
        list_price=product.list_price,
        reorder_point=product.reorder_point,
        reorder_max=product.reorder_max,
        active=product.active,
        tax_code=product.tax_code,
    )


async def create_product(cmd: NewProduct, uow: UnitOfWork) -> Product:
    if await uow.products.get(cmd.sku) is not None:
        raise DuplicateRecord(f"product {cmd.sku} already exists", field="sku")
    if cmd.tax_code is not None:
        await known_tax_rate(uow, cmd.tax_code, "tax_code")
    product = Product(**cmd.model_dump())
    await uow.products.add(product)
    uow.emit(_product_upserted(product))
    await refresh_alerts(uow, [product.sku])
    return product


async def update_product(sku: str, changes: ProductChanges, uow: UnitOfWork) -> Product:
    product = await uow.products.get(sku, lock=True)
    if product is None:
        raise NotFound(f"product {sku} does not exist")
    if changes.tax_code is not None:
        await known_tax_rate(uow, changes.tax_code, "tax_code")
    for name in changes.model_fields_set:
        setattr(product, name, getattr(changes, name))
    if (
        product.reorder_point is not None
        and product.reorder_max is not None
        and product.reorder_max < product.reorder_point
    ):
        field = "reorder_max" if "reorder_max" in changes.model_fields_set else "reorder_point"
        raise InvalidInput(
            f"reorder_max {product.reorder_max} would be below reorder_point {product.reorder_point}", field=field
        )
    await uow.products.flush()
    uow.emit(_product_upserted(product))
    await refresh_alerts(uow, [product.sku], recheck=True)
    return product


async def create_warehouse(cmd: NewWarehouse, uow: UnitOfWork) -> Warehouse:
    if await uow.warehouses.get(cmd.code) is not None:
        raise DuplicateRecord(f"warehouse {cmd.code} already exists", field="code")
    warehouse = Warehouse(code=cmd.code, name=cmd.name)
    await uow.warehouses.add(warehouse)
    uow.emit(WarehouseUpserted(code=warehouse.code, name=warehouse.name))
    return warehouse


async def create_supplier(cmd: NewSupplier, uow: UnitOfWork) -> Supplier:
    if await uow.suppliers.get(cmd.code) is not None:
        raise DuplicateRecord(f"supplier {cmd.code} already exists", field="code")
    supplier = Supplier(**cmd.model_dump())
    await uow.suppliers.add(supplier)
    uow.emit(
        SupplierUpserted(
            code=supplier.code,
            name=supplier.name,
            contact=supplier.contact,
            rating=supplier.rating,
            payment_terms_days=supplier.payment_terms_days,
        )
    )
    return supplier


async def create_customer(cmd: NewCustomer, uow: UnitOfWork) -> Customer:
    if await uow.customers.get(cmd.code) is not None:
        raise DuplicateRecord(f"customer {cmd.code} already exists", field="code")
    customer = Customer(**cmd.model_dump())
    await uow.customers.add(customer)
    uow.emit(
        CustomerUpserted(
            code=customer.code,
            name=customer.name,
            contact=customer.contact,
            credit_limit=customer.credit_limit,
            tax_exempt=customer.tax_exempt,
            payment_terms_days=customer.payment_terms_days,
        )
    )
    return customer
