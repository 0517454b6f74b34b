"""Available-to-sell for a channel, read from the hub's stock (the API and connectors).

A storefront polls the same SKUs over and over while their stock rarely moves, and
splitting a SKU's ATS over the channel's warehouses is Decimal arithmetic per SKU. The
split is a pure function of the allocation, the SKU, whether it is active and its
available stock per warehouse, so its results are remembered under exactly those.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import Any

from hub.core.channels import ChannelAllocation
from hub.core.numbers import ZERO
from hub.db.reads import Level, Reads

__all__ = ["channel_stock"]

#: Remembered splits: (allocation, SKU, active, available per warehouse) → (ATS, split).
_OFFERS: dict[Hashable, tuple[Decimal, tuple[tuple[str, Decimal], ...]]] = {}
_MAX_OFFERS = 200_000
#: Allocations seen, by id, with the value that stands for them in _OFFERS' keys (the
#: allocation is held, so its id cannot be reused while it is here).
_ALLOCATIONS: dict[int, tuple[ChannelAllocation, Hashable]] = {}


def _key_of(allocation: ChannelAllocation) -> Hashable:
    known = _ALLOCATIONS.get(id(allocation))
    if known is not None and known[0] is allocation:
        return known[1]
    key = (allocation.warehouses, allocation.rule, tuple(sorted(allocation.overrides.items())), allocation.whole_units)
    if len(_ALLOCATIONS) >= 256:
        _ALLOCATIONS.clear()
    _ALLOCATIONS[id(allocation)] = (allocation, key)
    return key


def _offer(
    allocation: ChannelAllocation, key: Hashable, sku: str, active: bool, levels: list[Level]
) -> tuple[Decimal, tuple[tuple[str, Decimal], ...]]:
    available = tuple((level.warehouse, level.available) for level in levels)
    memo = (key, sku, active, available)
    offer = _OFFERS.get(memo)
    if offer is None:
        split = allocation.split(sku, dict(available)) if active else dict.fromkeys(allocation.warehouses, ZERO)
        offer = (sum(split.values(), ZERO), tuple(split.items()))
        if len(_OFFERS) >= _MAX_OFFERS:
            _OFFERS.clear()
        _OFFERS[memo] = offer
    return offer


async def channel_stock(reads: Reads, allocation: ChannelAllocation, skus: list[str] | None) -> list[dict[str, Any]]:
    """Per SKU: the ATS over the channel's warehouses and its split by warehouse.
    SKUs the hub does not know are left out; inactive products offer 0."""
    wanted = None if skus is None else list(dict.fromkeys(skus))
    levels, active = await reads.channel_levels(wanted, allocation.warehouses)
    key = _key_of(allocation)
    rows = []
    for sku in sorted(levels) if wanted is None else wanted:
        if sku not in active:
            continue
        ats, split = _offer(allocation, key, sku, active[sku], levels.get(sku, []))
        rows.append({"sku": sku, "available_to_sell": ats, "warehouses": dict(split)})
    return rows
