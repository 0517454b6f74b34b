"""Available-to-sell for a channel, read from the hub's stock (the API and connectors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.core.channels import ChannelAllocation
from hub.core.numbers import ZERO
from hub.db.uow import UnitOfWorkFactory

__all__ = ["channel_stock"]


async def channel_stock(
    uows: UnitOfWorkFactory, allocation: ChannelAllocation, skus: list[str] | None
) -> list[dict[str, Any]]:
    """Per SKU: the ATS over the channel's warehouses and its split by warehouse.
    SKUs the hub does not know are left out; inactive products offer 0."""
    async with uows.reader() as uow:
        if skus is None:
            levels = await uow.stock.for_warehouses(allocation.warehouses)
            wanted = sorted(levels)
        else:
            wanted = list(dict.fromkeys(skus))
            levels = await uow.stock.for_skus(wanted)
        products = await uow.products.get_many(wanted)
    rows = []
    for sku in wanted:
        product = products.get(sku)
        if product is None:
            continue
        available: dict[str, Decimal] = {level.warehouse: level.available for level in levels.get(sku, [])}
        split = allocation.split(sku, available) if product.active else dict.fromkeys(allocation.warehouses, ZERO)
        rows.append({"sku": sku, "available_to_sell": sum(split.values(), ZERO), "warehouses": split})
    return rows
