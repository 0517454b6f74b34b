"""Channels: what a storefront connector declares to sell the hub's stock.

A storefront (Shopify, WooCommerce, Amazon …) has *locations* — its own name for where
stock sits — each fed by one hub warehouse, and an *allocation* — the share of that
stock it may offer (percent, cap, buffer, per-SKU overrides; the rule is in
:mod:`hub.core.channels`). A connector's mappings model subclasses
:class:`ChannelMappings` and gets both, validated, plus:

- :meth:`ChannelMappings.channel` — the :class:`~hub.core.channels.ChannelAllocation`;
- :func:`offer` — the one function that splits a SKU's available stock into what the
  channel offers per warehouse (the API's channel stock and every stock writer use it);
- :meth:`ChannelMappings.per_location` — that split as quantities per location.

A connector whose vendor names locations its own way (Shopify's GIDs) overrides
:meth:`ChannelMappings.location_id`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Annotated

from pydantic import Field, field_validator

from hub.connectors.sdk.base import ConnectorConfig, ConnectorMappings
from hub.core.channels import AllocationRule, ChannelAllocation, SkuOverride
from hub.core.numbers import ZERO

__all__ = ["AllocationIn", "ChannelMappings", "SkuBand", "offer"]


class SkuBand(ConnectorConfig):
    """One SKU's exceptions to the channel's rule (unset parts follow the rule)."""

    percent: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    cap: Annotated[Decimal, Field(ge=0)] | None = None
    buffer: Annotated[Decimal, Field(ge=0)] | None = None


class AllocationIn(ConnectorConfig):
    """``mappings.allocation``: the channel's share of its warehouses' available stock."""

    percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(100)
    cap: Annotated[Decimal, Field(ge=0)] | None = None
    buffer: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    skus: dict[str, SkuBand] = Field(default_factory=dict)


class ChannelMappings(ConnectorMappings):
    #: Vendor location → hub warehouse code.
    locations: dict[str, str]
    allocation: AllocationIn = Field(default_factory=AllocationIn)

    @classmethod
    def location_id(cls, value: str) -> str:
        """The vendor's canonical id of a location as a user may write it (default: trimmed)."""
        return value.strip()

    @field_validator("locations")
    @classmethod
    def _locations(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("map at least one location to a warehouse")
        return {cls.location_id(location): warehouse for location, warehouse in value.items()}

    @property
    def warehouses(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.locations.values())))

    def channel(self) -> ChannelAllocation:
        rule = self.allocation
        return ChannelAllocation(
            warehouses=self.warehouses,
            rule=AllocationRule(percent=rule.percent, cap=rule.cap, buffer=rule.buffer),
            overrides={sku: SkuOverride(band.percent, band.cap, band.buffer) for sku, band in rule.skus.items()},
            whole_units=True,
        )

    def per_location(self, split: Mapping[str, Decimal]) -> dict[str, int]:
        """A warehouse split (from :func:`offer`) as whole units per location; a warehouse
        feeding several locations offers its share at the first of them (by id), so the
        store never counts one unit twice."""
        return {location: int(split.get(warehouse, ZERO)) if first else 0 for location, warehouse, first in self._order}

    @cached_property
    def _order(self) -> tuple[tuple[str, str, bool], ...]:
        # (location, warehouse, whether it is the warehouse's first location), by location.
        given: set[str] = set()
        order = []
        for location, warehouse in sorted(self.locations.items()):
            order.append((location, warehouse, warehouse not in given))
            given.add(warehouse)
        return tuple(order)


#: Remembered splits: (allocation's number, SKU, active, available) → (ATS, split).
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


def offer(
    allocation: ChannelAllocation, sku: str, active: bool, available: tuple[tuple[str, Decimal], ...]
) -> tuple[Decimal, tuple[tuple[str, Decimal], ...]]:
    """What a channel offers of one SKU: its available-to-sell and the split by warehouse.

    ``available`` is the SKU's available stock per warehouse, as ``(code, qty)`` pairs in
    warehouse order; an inactive product offers 0 everywhere. A storefront asks for the
    same SKUs over and over while their stock rarely moves, so results are remembered
    under exactly what they are computed from."""
    memo = (_number_of(allocation), sku, active, available)
    found = _OFFERS.get(memo)
    if found is None:
        split = allocation.split(sku, dict(available)) if active else dict.fromkeys(allocation.warehouses, ZERO)
        found = (sum(split.values(), ZERO), tuple(split.items()))
        if len(_OFFERS) >= _MAX_OFFERS:
            _OFFERS.clear()
        _OFFERS[memo] = found
    return found
