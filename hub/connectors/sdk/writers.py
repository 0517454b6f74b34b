"""Level writers: the hub's stock, offered per location, written to a storefront.

A writer states only what differs from one vendor to the next — how to read the
vendor's items with their levels (:meth:`LevelWriter.read`) and how to write a batch of
levels with compare values (:meth:`LevelWriter.write`, answering the ones the vendor
found stale) — and gets the rest:

- **desired**: per SKU, what the channel offers (:func:`hub.connectors.sdk.channels.offer`,
  the one place available-to-sell is split) as whole units per location;
- **the queued push** (:meth:`LevelWriter.push`): a few SKUs changed in the hub; what was
  last written (the level bindings) is the compare value, so a push costs the write
  alone; SKUs or locations never written are read from the vendor first;
- **the reconciliation** (:meth:`LevelWriter.reconciler`): every item the vendor has,
  read page by page and planned a chunk at a time against the desired levels (update
  where they differ; conflicts for SKUs one side lacks), then written in batches;
- **bookkeeping**: items bound per SKU, each written level bound with its value, in one
  statement per batch; a level the vendor moved meanwhile is read again and written
  once more against what is there now.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hub.connectors.sdk.channels import ChannelMappings, offer
from hub.connectors.sdk.errors import FatalAPIError
from hub.connectors.sdk.ports import ChannelReads, ConnectorUnitOfWork, ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.sync.plan import Action, ApplyResult, Plan, PlanItem, Progress

__all__ = ["LevelWriter", "Target", "VendorItem"]

log = logging.getLogger("hub.connectors")


@dataclass(frozen=True, slots=True)
class Target:
    """One SKU at one location: where to write and what."""

    sku: str
    location: str
    #: What the vendor's level write addresses (Shopify: the inventory item).
    item: str
    quantity: int

    @property
    def key(self) -> str:
        return f"{self.sku}@{self.location}"


@dataclass(frozen=True, slots=True)
class VendorItem:
    """What the vendor sells as one SKU, with its levels by location."""

    #: The vendor's record for the SKU (Shopify: the variant).
    id: str
    sku: str
    #: What a level write addresses (Shopify: the inventory item).
    item: str
    #: location → quantity, as the vendor reported it (locations it stocks).
    levels: dict[str, int] = field(default_factory=dict)


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class LevelWriter(ABC):
    """Subclass, fill :meth:`read` and :meth:`write` (see the module docstring)."""

    #: The reconciliation's entity.
    name: ClassVar[str] = "stock"
    #: Binding entities: the vendor's item per SKU, and what was written per SKU@location.
    item_record: ClassVar[str] = "item"
    level_record: ClassVar[str] = "level"
    #: Targets per :meth:`write` call.
    write_batch: ClassVar[int] = 250
    #: Vendor items planned together (one read of the hub's stock per chunk).
    plan_chunk: ClassVar[int] = 1000

    def __init__(
        self,
        connector_id: str,
        mappings: ChannelMappings,
        uows: ConnectorUnitOfWorks,
        reads: ChannelReads | None = None,
    ) -> None:
        self.id, self.mappings, self.uows, self.reads = connector_id, mappings, uows, reads
        self.channel = mappings.channel()

    # -- hooks ------------------------------------------------------------------------------------

    @abstractmethod
    def read(self, skus: Collection[str] | None) -> AsyncIterator[VendorItem]:
        """The vendor's items of ``skus`` (None: every one), with their levels."""

    @abstractmethod
    async def write(self, batch: list[Target], compare: Mapping[str, int | None]) -> list[Target]:
        """Set a batch of levels where they still hold ``compare[target.key]`` (None: no
        compare); answer the targets the vendor refused as stale; raise on other errors."""

    # -- desired ----------------------------------------------------------------------------------

    async def desired(self, skus: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """sku → location → quantity to offer (0 for an inactive product); SKUs the hub
        does not know are left out. ``skus`` None: every SKU stocked in the channel's
        warehouses."""
        async with self.uows.reader() as uow:
            return await self._desired(uow, skus)

    async def _desired(self, uow: ConnectorUnitOfWork, skus: Iterable[str] | None) -> dict[str, dict[str, int]]:
        if self.reads is not None:
            wanted_skus = None if skus is None else sorted(set(skus))
            if wanted_skus == []:
                return {}
            by_sku, active = await self.reads.channel_available(wanted_skus, self.channel.warehouses)
            return {
                sku: self.mappings.per_location(dict(offer(self.channel, sku, active[sku], by_sku[sku])[1]))
                for sku in (sorted(by_sku) if wanted_skus is None else wanted_skus)
                if sku in active
            }
        if skus is None:
            levels = await uow.stock.for_warehouses(self.channel.warehouses)
            wanted = sorted(levels)
        else:
            wanted = sorted(set(skus))
            levels = await uow.stock.for_skus(wanted)
        products = await uow.products.get_many(wanted)
        result: dict[str, dict[str, int]] = {}
        for sku in wanted:
            product = products.get(sku)
            if product is None:
                continue
            available = tuple(sorted((level.warehouse, level.available) for level in levels.get(sku, [])))
            _, split = offer(self.channel, sku, product.active, available)
            result[sku] = self.mappings.per_location(dict(split))
        return result

    async def stocked(self) -> set[str]:
        """The SKUs the channel's warehouses have available stock of (the candidates for
        a desired level above 0)."""
        if self.reads is not None:
            by_sku, _ = await self.reads.channel_available(None, self.channel.warehouses)
            return {sku for sku, levels in by_sku.items() if any(qty > 0 for _, qty in levels)}
        async with self.uows.reader() as uow:
            levels = await uow.stock.for_warehouses(self.channel.warehouses)
        return {sku for sku, per in levels.items() if any(level.available > 0 for level in per)}

    # -- what the hub remembers -------------------------------------------------------------------

    async def written(self, skus: Iterable[str] | None = None) -> dict[str, int]:
        """What the hub last wrote, by ``sku@location`` (for ``skus``, or all)."""
        async with self.uows.reader() as uow:
            return await self._written(uow, skus)

    async def _written(self, uow: ConnectorUnitOfWork, skus: Iterable[str] | None) -> dict[str, int]:
        if skus is None:
            found = await uow.bindings.all(self.id, self.level_record)
            return {b.canonical_id: int(b.last_hash) for b in found if b.last_hash is not None}
        keys = [f"{sku}@{location}" for sku in skus for location in self.mappings.locations]
        return {
            key: int(value) for key, value in (await uow.bindings.last_hashes(self.id, self.level_record, keys)).items()
        }

    async def bound_items(self, skus: Iterable[str]) -> dict[str, str]:
        """sku → the vendor's item, for the SKUs bound."""
        async with self.uows.reader() as uow:
            return await self._bound_items(uow, skus)

    async def _bound_items(self, uow: ConnectorUnitOfWork, skus: Iterable[str]) -> dict[str, str]:
        bound = await uow.bindings.many(self.id, self.item_record, skus)
        return {sku: str(b.data["item"]) for sku, b in bound.items() if b.data.get("item")}

    async def bind_items(self, items: Iterable[VendorItem]) -> None:
        items = list(items)
        async with self.uows() as uow:
            known = await uow.bindings.many(self.id, self.item_record, [item.sku for item in items])
            for item in items:
                binding = known.get(item.sku)
                if binding is None:
                    await uow.bindings.add(
                        Binding(self.id, self.item_record, item.sku, item.id, data={"item": item.item})
                    )
                elif binding.external_id != item.id or binding.data.get("item") != item.item:
                    binding.external_id, binding.data = item.id, {"item": item.item}
                    await uow.bindings.save(binding)
            await uow.commit()

    async def remember(self, written: list[Target]) -> None:
        if not written:
            return
        async with self.uows() as uow:
            await uow.bindings.remember(
                self.id, self.level_record, {t.key: (f"{t.item}@{t.location}", str(t.quantity)) for t in written}
            )
            await uow.commit()

    # -- writing ----------------------------------------------------------------------------------

    async def write_all(self, targets: list[Target], compare: Mapping[str, int | None]) -> int:
        """Write in batches, remember what was written, and write once more what the
        vendor found stale, against what it has now; answers the write calls made."""
        sent, stale = await self._write_batches(targets, compare)
        if stale:
            log.info("%s: %d levels changed at the vendor meanwhile; re-reading", self.id, len(stale))
            fresh = {item.sku: item async for item in self.read({t.sku for t in stale})}
            found = [t for t in stale if t.sku in fresh and t.location in fresh[t.sku].levels]
            await self.remember([t for t in found if fresh[t.sku].levels[t.location] == t.quantity])
            retry = [t for t in found if fresh[t.sku].levels[t.location] != t.quantity]
            more, still = await self._write_batches(retry, {t.key: fresh[t.sku].levels[t.location] for t in retry})
            sent += more
            if still:
                raise FatalAPIError(f"stock of {len(still)} SKU×location changed at the vendor twice during the write")
        return sent

    async def _write_batches(
        self, targets: list[Target], compare: Mapping[str, int | None]
    ) -> tuple[int, list[Target]]:
        sent, stale = 0, []
        for batch in _chunks(targets, self.write_batch):
            refused = await self.write(batch, compare)
            sent += 1
            stale.extend(refused)
            refused_keys = {t.key for t in refused}
            await self.remember([t for t in batch if t.key not in refused_keys])
        return sent, stale

    # -- the queued push ---------------------------------------------------------------------------

    async def push(self, skus: list[str]) -> dict[str, str | None]:
        """Queued work: bring these SKUs' levels to what the channel offers."""
        # One read of the hub for the batch: desired levels, what was written, items bound.
        async with self.uows.reader() as uow:
            desired = await self._desired(uow, skus)
            written = await self._written(uow, desired)
            changed = {
                sku: per
                for sku, per in desired.items()
                if any(written.get(f"{sku}@{location}") != quantity for location, quantity in per.items())
            }
            items = await self._bound_items(uow, changed) if changed else {}
        result: dict[str, str | None] = dict.fromkeys(skus)
        if not changed:
            return result
        # Where the hub has written before, what it wrote is the compare value: no read,
        # so a push costs the write alone (a change at the vendor since is caught by the
        # compare, then re-read). New SKUs and locations are read from the vendor — their
        # levels are both the compare values and the check that they exist there.
        targets: list[Target] = []
        compare: dict[str, int | None] = {}
        unread: list[str] = []
        for sku, per in changed.items():
            if sku not in items or any(f"{sku}@{location}" not in written for location in per):
                unread.append(sku)
                continue
            for location, quantity in per.items():
                target = Target(sku, location, items[sku], quantity)
                if written[target.key] != quantity:
                    targets.append(target)
                    compare[target.key] = written[target.key]
        if unread:
            read = {item.sku: item async for item in self.read(unread)}
            await self.bind_items(read.values())
            already: list[Target] = []
            for sku in unread:
                item = read.get(sku)
                if item is None:
                    continue  # not sold there: nothing to write (the reconciliation reports it)
                for location, quantity in changed[sku].items():
                    if location not in item.levels:
                        continue  # not stocked at that location
                    target = Target(sku, location, item.item, quantity)
                    if item.levels[location] == quantity:
                        already.append(target)  # already right: remember, do not write
                        continue
                    targets.append(target)
                    compare[target.key] = item.levels[location]
            await self.remember(already)
        await self.write_all(targets, compare)
        return result

    # -- the reconciliation -------------------------------------------------------------------------

    def reconciler(self) -> LevelReconciler:
        return LevelReconciler(self)

    async def plan_items(self, items: list[VendorItem], desired: Mapping[str, dict[str, int]]) -> list[PlanItem]:
        """The plan for some of the vendor's items against the desired levels."""
        planned: list[PlanItem] = []
        for item in items:
            wanted = desired.get(item.sku)
            if wanted is None:
                planned.append(PlanItem(item.sku, Action.CONFLICT, reason="sold there, but the hub does not know it"))
                continue
            for location, quantity in sorted(wanted.items()):
                key = f"{item.sku}@{location}"
                if location not in item.levels:
                    # Not stocked there and nothing to offer: already as it should be.
                    action = Action.UNCHANGED if quantity == 0 else Action.CONFLICT
                    planned.append(PlanItem(key, action, quantity, None, "not stocked at this location"))
                    continue
                actual = item.levels[location]
                if actual == quantity:
                    planned.append(PlanItem(key, Action.UNCHANGED, quantity, actual))
                else:
                    target = Target(item.sku, location, item.item, quantity)
                    planned.append(PlanItem(key, Action.UPDATE, quantity, actual, context=target))
        return planned


class LevelReconciler:
    """Every item the vendor sells vs what the channel offers, planned a chunk at a time."""

    def __init__(self, writer: LevelWriter) -> None:
        self.writer = writer
        self.entity = writer.name

    async def plan(self, progress: Progress) -> Plan:
        w = self.writer
        plan = Plan(self.entity)
        seen: set[str] = set()
        chunk: list[VendorItem] = []
        progress("reading the vendor", 0, None)

        async def flush() -> None:
            await w.bind_items(chunk)
            desired = await w.desired([item.sku for item in chunk])
            plan.items.extend(await w.plan_items(chunk, desired))
            seen.update(item.sku for item in chunk)
            chunk.clear()
            progress("planning", len(plan.items), None)

        async for item in w.read(None):
            chunk.append(item)
            if len(chunk) >= w.plan_chunk:
                await flush()
        if chunk:
            await flush()
        # What the hub offers that the vendor does not sell.
        unseen = (await w.stocked()) - seen
        for sku, per in sorted((await w.desired(unseen)).items()):
            if any(per.values()):
                plan.items.append(PlanItem(sku, Action.CONFLICT, reason="not sold there"))
        return plan

    async def apply(self, items: list[PlanItem], progress: Progress) -> ApplyResult:
        targets = [item.context for item in items if isinstance(item.context, Target)]
        compare: dict[str, int | None] = {item.key: item.actual for item in items}
        progress("writing", 0, len(targets))
        sent = await self.writer.write_all(targets, compare)
        progress("writing", len(targets), len(targets))
        return ApplyResult(writes=sent)
