"""Channel allocation: how much of the hub's stock a sales channel may offer.

A channel (one connector instance: a Shopify store, an Amazon account …) sells from
some warehouses under a rule::

    available to sell = max(0, min(cap, percent × available over its warehouses) − buffer)

with per-SKU overrides of any part of the rule. When every warehouse's channels take
at most 100 % between them, channels sharing stock cannot together promise more than
there is — :func:`overcommitted` finds the warehouses where they would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from hub.core.numbers import PLACES, ZERO

__all__ = ["AllocationRule", "ChannelAllocation", "SkuOverride", "overcommitted"]

HUNDRED = Decimal(100)
_PLACE = Decimal(1).scaleb(-PLACES)


@dataclass(frozen=True)
class AllocationRule:
    percent: Decimal = HUNDRED
    cap: Decimal | None = None
    buffer: Decimal = ZERO

    def apply(self, available: Decimal) -> Decimal:
        share = available * self.percent / HUNDRED
        if self.cap is not None:
            share = min(self.cap, share)
        return max(ZERO, share - self.buffer)


@dataclass(frozen=True)
class SkuOverride:
    percent: Decimal | None = None
    cap: Decimal | None = None
    buffer: Decimal | None = None


@dataclass(frozen=True)
class ChannelAllocation:
    warehouses: tuple[str, ...]
    rule: AllocationRule = AllocationRule()
    overrides: Mapping[str, SkuOverride] = field(default_factory=dict)
    #: Whole units only (platforms that count in integers).
    whole_units: bool = True

    def rule_for(self, sku: str) -> AllocationRule:
        override = self.overrides.get(sku)
        if override is None:
            return self.rule
        return AllocationRule(
            percent=self.rule.percent if override.percent is None else override.percent,
            cap=self.rule.cap if override.cap is None else override.cap,
            buffer=self.rule.buffer if override.buffer is None else override.buffer,
        )

    def _round(self, value: Decimal) -> Decimal:
        # Down to whole units, or to the hub's quantity places: a share of a division
        # carried to 28 digits would not add back up to what is offered.
        if self.whole_units:
            return value.to_integral_value(rounding=ROUND_FLOOR)
        return value.quantize(_PLACE, rounding=ROUND_FLOOR)

    def available_to_sell(self, sku: str, available: Mapping[str, Decimal]) -> Decimal:
        """ATS of ``sku`` given each warehouse's available stock (others ignored)."""
        total = sum((max(ZERO, available.get(w, ZERO)) for w in self.warehouses), ZERO)
        return self._round(self.rule_for(sku).apply(total))

    def split(self, sku: str, available: Mapping[str, Decimal]) -> dict[str, Decimal]:
        """The ATS spread over the warehouses in proportion to their stock (sums to the ATS)."""
        stock = {w: max(ZERO, available.get(w, ZERO)) for w in self.warehouses}
        total = sum(stock.values(), ZERO)
        total_ats = self._round(self.rule_for(sku).apply(total))  # available_to_sell, summed once
        if total == 0 or total_ats == 0:
            return dict.fromkeys(self.warehouses, ZERO)
        if total_ats == total and (not self.whole_units or all(q == q.to_integral_value() for q in stock.values())):
            return stock  # everything is offered, in whole units: each warehouse offers its own
        shares = {w: self._round(total_ats * q / total) for w, q in stock.items()}
        # Rounding down leaves a remainder: give it to the best-stocked warehouses first.
        remainder = total_ats - sum(shares.values(), ZERO)
        step = Decimal(1) if self.whole_units else remainder
        for w in sorted(self.warehouses, key=lambda w: (-stock[w], w)):
            if remainder <= 0:
                break
            extra = min(step, remainder, stock[w] - shares[w])
            if extra > 0:
                shares[w] += extra
                remainder -= extra
        return shares


def overcommitted(channels: Iterable[tuple[str, ChannelAllocation]], skus: Iterable[str] = ()) -> list[str]:
    """Warehouses whose channels take more than 100 % between them (per SKU override too).

    Returns human-readable findings; empty when no combination can oversell.
    """
    channels = list(channels)
    findings = []
    for sku in [None, *sorted(set(skus))]:
        shares: dict[str, list[tuple[str, Decimal]]] = {}
        for name, allocation in channels:
            percent = allocation.rule.percent if sku is None else allocation.rule_for(sku).percent
            for warehouse in allocation.warehouses:
                shares.setdefault(warehouse, []).append((name, percent))
        for warehouse, taken in sorted(shares.items()):
            total = sum((p for _, p in taken), ZERO)
            if total > HUNDRED:
                who = ", ".join(f"{name} {p}%" for name, p in taken)
                scope = f" for {sku}" if sku else ""
                findings.append(f"warehouse {warehouse}{scope} is promised {total}% ({who})")
    return findings
