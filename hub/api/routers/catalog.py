"""Master data: /v1/products, /v1/warehouses, /v1/suppliers, /v1/customers."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hub.api.deps import Reader, StockReader, Writer
from hub.api.pagination import Cursor, Limit, decode, encode
from hub.api.params import CodePath
from hub.api.routing import HubRoute
from hub.api.schemas import CustomerOut, Page, ProductOut, SupplierOut, WarehouseOut
from hub.core import handlers
from hub.core.catalog import Customer, Supplier, Warehouse
from hub.core.commands import NewCustomer, NewProduct, NewSupplier, NewWarehouse, ProductChanges
from hub.core.errors import NotFound
from hub.db.queries import Queries

router = APIRouter(route_class=HubRoute, prefix="/v1")


@router.post("/products", status_code=201, response_model=ProductOut, tags=["products"])
async def create_product(body: NewProduct, ctx: Writer) -> Response:
    async def action(uow):  # type: ignore[no-untyped-def]
        return ProductOut.model_validate(await handlers.create_product(body, uow))

    return await ctx.write(action)


@router.get("/products", response_model=Page[ProductOut], tags=["products"])
async def list_products(
    ctx: StockReader, active: bool | None = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[ProductOut]:
    async with ctx.reader() as uow:
        page = await Queries(uow.session).products(after=decode(cursor, str), limit=limit, active=active)
    return Page(items=[ProductOut.model_validate(p) for p in page.items], next_cursor=encode(page.next_key))


# SKUs and codes are matched as ``{…:path}``: they may contain "/" (sent as %2F), which a
# plain parameter would not match, so such a record could never be read.
@router.get("/products/{sku:path}", response_model=ProductOut, tags=["products"])
async def get_product(sku: CodePath, ctx: StockReader) -> ProductOut:
    product = await ctx.hub.reads.product(sku)
    if product is None:
        raise NotFound(f"product {sku} does not exist")
    return ProductOut.model_validate(product)


@router.patch("/products/{sku:path}", response_model=ProductOut, tags=["products"])
async def update_product(sku: CodePath, body: ProductChanges, ctx: Writer) -> Response:
    async def action(uow):  # type: ignore[no-untyped-def]
        return ProductOut.model_validate(await handlers.update_product(sku, body, uow))

    return await ctx.write(action, status=200)


# -- warehouses, suppliers, customers: created, listed and read by code ----------------------------


@router.post("/warehouses", status_code=201, response_model=WarehouseOut, tags=["warehouses"])
async def create_warehouse(body: NewWarehouse, ctx: Writer) -> Response:
    async def action(uow):  # type: ignore[no-untyped-def]
        return WarehouseOut.model_validate(await handlers.create_warehouse(body, uow))

    return await ctx.write(action)


@router.get("/warehouses", response_model=Page[WarehouseOut], tags=["warehouses"])
async def list_warehouses(ctx: StockReader, cursor: Cursor = None, limit: Limit = 50) -> Page[WarehouseOut]:
    async with ctx.reader() as uow:
        page = await Queries(uow.session).parties(Warehouse, after=decode(cursor, str), limit=limit)
    return Page(items=[WarehouseOut.model_validate(w) for w in page.items], next_cursor=encode(page.next_key))


@router.get("/warehouses/{code:path}", response_model=WarehouseOut, tags=["warehouses"])
async def get_warehouse(code: CodePath, ctx: StockReader) -> WarehouseOut:
    async with ctx.reader() as uow:
        return WarehouseOut.model_validate(await _party(uow.session, Warehouse, code, "warehouse"))


@router.post("/suppliers", status_code=201, response_model=SupplierOut, tags=["suppliers"])
async def create_supplier(body: NewSupplier, ctx: Writer) -> Response:
    async def action(uow):  # type: ignore[no-untyped-def]
        return SupplierOut.model_validate(await handlers.create_supplier(body, uow))

    return await ctx.write(action)


@router.get("/suppliers", response_model=Page[SupplierOut], tags=["suppliers"])
async def list_suppliers(ctx: Reader, cursor: Cursor = None, limit: Limit = 50) -> Page[SupplierOut]:
    async with ctx.reader() as uow:
        page = await Queries(uow.session).parties(Supplier, after=decode(cursor, str), limit=limit)
    return Page(items=[SupplierOut.model_validate(s) for s in page.items], next_cursor=encode(page.next_key))


@router.get("/suppliers/{code:path}", response_model=SupplierOut, tags=["suppliers"])
async def get_supplier(code: CodePath, ctx: Reader) -> SupplierOut:
    async with ctx.reader() as uow:
        return SupplierOut.model_validate(await _party(uow.session, Supplier, code, "supplier"))


@router.post("/customers", status_code=201, response_model=CustomerOut, tags=["customers"])
async def create_customer(body: NewCustomer, ctx: Writer) -> Response:
    async def action(uow):  # type: ignore[no-untyped-def]
        return CustomerOut.model_validate(await handlers.create_customer(body, uow))

    return await ctx.write(action)


@router.get("/customers", response_model=Page[CustomerOut], tags=["customers"])
async def list_customers(ctx: Reader, cursor: Cursor = None, limit: Limit = 50) -> Page[CustomerOut]:
    async with ctx.reader() as uow:
        page = await Queries(uow.session).parties(Customer, after=decode(cursor, str), limit=limit)
    return Page(items=[CustomerOut.model_validate(c) for c in page.items], next_cursor=encode(page.next_key))


@router.get("/customers/{code:path}", response_model=CustomerOut, tags=["customers"])
async def get_customer(code: CodePath, ctx: Reader) -> CustomerOut:
    async with ctx.reader() as uow:
        return CustomerOut.model_validate(await _party(uow.session, Customer, code, "customer"))


async def _party(session: AsyncSession, cls: type, code: str, kind: str) -> object:
    record = await Queries(session).party(cls, code)
    if record is None:
        raise NotFound(f"{kind} {code} does not exist")
    return record
