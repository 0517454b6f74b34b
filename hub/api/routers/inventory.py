"""/v1/transfers and /v1/stock-counts."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import DocumentId
from hub.api.routing import HubRoute
from hub.api.schemas import StockCountOut, TransferOut
from hub.core import handlers
from hub.core.commands import NewStockCount, NewTransfer
from hub.core.errors import NotFound
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1")


@router.post("/transfers", status_code=201, response_model=TransferOut, tags=["transfers"])
async def create_transfer(body: NewTransfer, ctx: Writer) -> Response:
    """Ship goods between warehouses at once: they show as ``in_transit`` at the destination."""

    async def action(uow: SqlUnitOfWork) -> TransferOut:
        return TransferOut.of(await handlers.create_transfer(body, uow))

    return await ctx.write(action)


@router.get("/transfers/{transfer_id}", response_model=TransferOut, tags=["transfers"])
async def get_transfer(transfer_id: DocumentId, ctx: Reader) -> TransferOut:
    async with ctx.reader() as uow:
        transfer = await uow.transfers.get(transfer_id)
        if transfer is None:
            raise NotFound(f"transfer {transfer_id} does not exist")
        return TransferOut.of(transfer)


@router.post("/transfers/{transfer_id}/receive", response_model=TransferOut, tags=["transfers"])
async def receive_transfer(transfer_id: DocumentId, ctx: Writer) -> Response:
    async def action(uow: SqlUnitOfWork) -> TransferOut:
        return TransferOut.of(await handlers.receive_transfer(transfer_id, uow))

    return await ctx.write(action, status=200)


@router.post("/stock-counts", status_code=201, response_model=StockCountOut, tags=["stock counts"])
async def post_stock_count(body: NewStockCount, ctx: Writer) -> Response:
    """Post counted quantities; every variance moves to or from inventory-loss and is listed."""

    async def action(uow: SqlUnitOfWork) -> StockCountOut:
        return StockCountOut.of(await handlers.post_stock_count(body, uow))

    return await ctx.write(action)


@router.get("/stock-counts/{count_id}", response_model=StockCountOut, tags=["stock counts"])
async def get_stock_count(count_id: DocumentId, ctx: Reader) -> StockCountOut:
    async with ctx.reader() as uow:
        count = await uow.stock_counts.get(count_id)
        if count is None:
            raise NotFound(f"stock count {count_id} does not exist")
        return StockCountOut.of(count)
