"""Available-to-sell for a channel, read from the hub's stock (the API and connectors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.core.channels import ChannelAllocation
from hub.core.numbers import ZERO
from hub.db.reads import Reads

__all__ = ["channel_stock"]


async def channel_stock(reads: Reads, allocation: ChannelAllocation, skus: list[str] | None) -> list[dict[str, Any]]:
    """Per SKU: the ATS over the channel's warehouses and its split by warehouse.
    SKUs the hub does not know are left out; inactive products offer 0."""
    wanted = None if skus is None else list(dict.fromkeys(skus))
    levels, active = await reads.channel_levels(wanted, allocation.warehouses)
    rows = []
    for sku in sorted(levels) if wanted is None else wanted:
        if sku not in active:
            continue
        available: dict[str, Decimal] = {level.warehouse: level.available for level in levels.get(sku, [])}
        split = allocation.split(sku, available) if active[sku] else dict.fromkeys(allocation.warehouses, ZERO)
        rows.append({"sku": sku, "available_to_sell": sum(split.values(), ZERO), "warehouses": split})
    return rows
