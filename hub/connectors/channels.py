"""Available-to-sell for a channel, read from the hub's stock (the API and connectors).

A storefront polls the same SKUs over and over while their stock rarely moves, and
splitting a SKU's ATS over the channel's warehouses is Decimal arithmetic per SKU. The
split is a pure function of the allocation, the SKU, whether it is active and its
available stock per warehouse, so its results are remembered under exactly those.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import Any, NamedTuple

from hub.core.channels import ChannelAllocation
from hub.core.numbers import ZERO
from hub.db.reads import Available, Reads

__all__ = ["Offer", "channel_offers", "channel_stock"]

#: Remembered splits: (allocation, SKU, active, available per warehouse) → (ATS, split).
_OFFERS: dict[Hashable, tuple[Decimal, tuple[tuple[str, Decimal], ...]]] = {}
_MAX_OFFERS = 200_000
#: Allocations seen, by id, with the number that stands for what they say in _OFFERS'
#: keys (the allocation is held, so its id cannot be reused while it is here).
_ALLOCATIONS: dict[int, tuple[ChannelAllocation, int]] = {}
_NUMBERS: dict[Hashable, int] = {}


def _number_of(allocation: ChannelAllocation) -> int:
    known = _ALLOCATIONS.get(id(allocation))
    if known is not None and known[0] is allocation:
        return known[1]
    says = (allocation.warehouses, allocation.rule, tuple(sorted(allocation.overrides.items())), allocation.whole_units)
    if len(_ALLOCATIONS) >= 256:
        # Numbers must never be reused while splits remembered under them remain.
        _ALLOCATIONS.clear()
        _NUMBERS.clear()
        _OFFERS.clear()
    number = _NUMBERS.setdefault(says, len(_NUMBERS))
    _ALLOCATIONS[id(allocation)] = (allocation, number)
    return number


def _offer(
    allocation: ChannelAllocation, number: int, sku: str, active: bool, available: Available
) -> tuple[Decimal, tuple[tuple[str, Decimal], ...]]:
    memo = (number, sku, active, available)
    offer = _OFFERS.get(memo)
    if offer is None:
        split = allocation.split(sku, dict(available)) if active else dict.fromkeys(allocation.warehouses, ZERO)
        offer = (sum(split.values(), ZERO), tuple(split.items()))
        if len(_OFFERS) >= _MAX_OFFERS:
            _OFFERS.clear()
        _OFFERS[memo] = offer
    return offer


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
    number = _number_of(allocation)
    offers = []
    for sku in sorted(available) if wanted is None else wanted:
        if sku not in active:
            continue
        ats, split = _offer(allocation, number, sku, active[sku], available[sku])
        offers.append(Offer(sku, ats, split))
    return offers


async def channel_stock(reads: Reads, allocation: ChannelAllocation, skus: list[str] | None) -> list[dict[str, Any]]:
    """:func:`channel_offers` as ``{"sku", "available_to_sell", "warehouses": {code: qty}}`` rows."""
    return [
        {"sku": sku, "available_to_sell": ats, "warehouses": dict(split)}
        for sku, ats, split in await channel_offers(reads, allocation, skus)
    ]
