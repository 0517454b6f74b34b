"""Available-to-sell for a channel, read from the hub's stock (the API and connectors).

The split itself is :func:`hub.connectors.sdk.channels.offer`, the one place
available-to-sell is computed; this module reads what it needs from the hub's stock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from hub.connectors.sdk.channels import offer
from hub.core.channels import ChannelAllocation
from hub.db.reads import Reads

__all__ = ["Offer", "channel_offers", "channel_stock"]


class Offer(NamedTuple):
    """What a channel offers of one SKU: the ATS and its split by warehouse (a tuple, so
    that an offer can be remembered by: it is the same value while the stock is)."""

    sku: str
    available_to_sell: Decimal
    warehouses: tuple[tuple[str, Decimal], ...]


async def channel_offers(reads: Reads, allocation: ChannelAllocation, skus: list[str] | None) -> list[Offer]:
    """Per SKU: the ATS over the channel's warehouses and its split by warehouse.
    SKUs the hub does not know are left out; inactive products offer 0."""
    wanted = None if skus is None else list(dict.fromkeys(skus))
    available, active = await reads.channel_available(wanted, allocation.warehouses)
    offers = []
    for sku in sorted(available) if wanted is None else wanted:
        if sku not in active:
            continue
        ats, split = offer(allocation, sku, active[sku], available[sku])
        offers.append(Offer(sku, ats, split))
    return offers


async def channel_stock(reads: Reads, allocation: ChannelAllocation, skus: list[str] | None) -> list[dict[str, Any]]:
    """:func:`channel_offers` as ``{"sku", "available_to_sell", "warehouses": {code: qty}}`` rows."""
    return [
        {"sku": sku, "available_to_sell": ats, "warehouses": dict(split)}
        for sku, ats, split in await channel_offers(reads, allocation, skus)
    ]
