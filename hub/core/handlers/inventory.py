"""Handlers for transfers between warehouses and stock counts."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.core.commands import NewStockCount, NewTransfer
from hub.core.counts import StockCount, StockCountLine
from hub.core.errors import NotFound
from hub.core.events import StockCountPosted, TransferLineMoved, TransferReceived, TransferShipped, Variance
from hub.core.handlers._refs import known, known_products
from hub.core.handlers._stock import close_book, open_book
from hub.core.ports import UnitOfWork
from hub.core.transfers import Transfer, TransferLine

__all__ = ["create_transfer", "post_stock_count", "receive_transfer"]


def _moved(transfer: Transfer) -> dict[str, object]:
    assert transfer.id is not None
    return dict(
        transfer_id=transfer.id,
        from_warehouse=transfer.from_warehouse,
        to_warehouse=transfer.to_warehouse,
        lines=[TransferLineMoved(sku=line.sku, qty=line.qty) for line in transfer.lines],
    )


async def create_transfer(cmd: NewTransfer, uow: UnitOfWork) -> Transfer:
    """Create a transfer and ship it at once: source → transit."""
    await known(uow.warehouses, cmd.from_warehouse, "from_warehouse", "warehouse")
    await known(uow.warehouses, cmd.to_warehouse, "to_warehouse", "warehouse")
    await known_products(uow, cmd.lines)
    transfer = Transfer(
        from_warehouse=cmd.from_warehouse,
        to_warehouse=cmd.to_warehouse,
        lines=[TransferLine(sku=line.sku, qty=line.qty) for line in cmd.lines],
    )
    await uow.transfers.add(transfer)
    skus = [line.sku for line in transfer.lines]
    keys = [(sku, wh) for sku in skus for wh in (transfer.from_warehouse, transfer.to_warehouse)]
    book = await open_book(uow, keys, valued=skus)
    transfer.ship(book)
    uow.emit(TransferShipped(**_moved(transfer)))  # type: ignore[arg-type]
    await close_book(uow, book)
    return transfer


async def receive_transfer(transfer_id: int, uow: UnitOfWork) -> Transfer:
    transfer = await uow.transfers.get(transfer_id, lock=True)
    if transfer is None:
        raise NotFound(f"transfer {transfer_id} does not exist")
    book = await open_book(uow, [(line.sku, transfer.to_warehouse) for line in transfer.lines])
    transfer.receive(book)
    transfer.received_at = datetime.now(UTC)
    uow.emit(TransferReceived(**_moved(transfer)))  # type: ignore[arg-type]
    await close_book(uow, book)
    return transfer


async def post_stock_count(cmd: NewStockCount, uow: UnitOfWork) -> StockCount:
    """Post a count: every variance moves to or from inventory-loss at average cost."""
    await known(uow.warehouses, cmd.warehouse, "warehouse", "warehouse")
    await known_products(uow, cmd.lines)
    count = StockCount(
        warehouse=cmd.warehouse, lines=[StockCountLine(sku=line.sku, counted=line.counted) for line in cmd.lines]
    )
    await uow.stock_counts.add(count)
    skus = [line.sku for line in count.lines]
    book = await open_book(uow, [(sku, count.warehouse) for sku in skus], valued=skus)
    count.post(book)
    assert count.id is not None
    uow.emit(
        StockCountPosted(
            stock_count_id=count.id,
            warehouse=count.warehouse,
            variances=[
                Variance(
                    sku=line.sku, expected=line.expected, counted=line.counted, variance=line.variance, value=line.value
                )
                for line in count.lines
                if line.variance != 0
            ],
        )
    )
    await close_book(uow, book)
    return count
