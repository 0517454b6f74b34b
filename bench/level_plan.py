"""A million SKUs through the level writer's plan: time and peak memory.

A store or ERP with 1,000,000 SKUs must be reconciled without holding everything in
memory at once. This bench runs :class:`hub.connectors.sdk.writers.LevelReconciler`'s
plan — the vendor's items read page by page, each chunk's desired levels computed by
the SDK's :func:`~hub.connectors.sdk.channels.offer` (allocation, split by warehouse,
per location), compared, planned — over ``--skus`` SKUs at two locations fed by two
warehouses, a tenth of them drifted. What it leaves out, on purpose: HTTP (the vendor's
pages are made in-process), the database (available stock comes from memory, and the
item bindings a real run writes per chunk are not written). So it measures the
writer's own work per level, which is what grows with the catalogue.

Baseline, in the same process and moment: the least work any diff must do — one dict
of desired quantities compared with the vendor's, key by key. Printed: CPU seconds of
this process (``time.process_time``: on a shared machine wall time measures the
neighbours too), levels per CPU second, the ratio plan ÷ baseline, and the peak
resident memory.

    .venv/bin/python bench/level_plan.py                # 1,000,000 SKUs
    .venv/bin/python bench/level_plan.py --skus 100000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import sys
import time
from collections.abc import AsyncIterator, Collection, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from hub.connectors.sdk.channels import ChannelMappings, offer
from hub.connectors.sdk.writers import LevelWriter, Target, VendorItem

LOCATIONS = {"L1": "WH1", "L2": "WH2"}


def _available(i: int) -> tuple[tuple[str, Decimal], ...]:
    return (("WH1", Decimal(i % 97)), ("WH2", Decimal(i % 13)))


def _sku(i: int) -> str:
    return f"SKU-{i:07d}"


class InMemoryWriter(LevelWriter):
    """The SDK's writer with the vendor and the hub's stock in memory."""

    def __init__(self, skus: int, page: int) -> None:
        super().__init__("bench", ChannelMappings(locations=LOCATIONS), uows=None)  # type: ignore[arg-type]
        self.skus, self.page = skus, page

    async def read(self, skus: Collection[str] | None) -> AsyncIterator[VendorItem]:
        assert skus is None
        for start in range(0, self.skus, self.page):
            for i in range(start, min(start + self.page, self.skus)):
                l1, l2 = self._offered(i)
                drift = 1 if i % 10 == 0 else 0  # a tenth moved on the platform
                yield VendorItem(f"v{i}", _sku(i), f"item{i}", {"L1": l1 + drift, "L2": l2})
            await asyncio.sleep(0)  # a page arrives

    def _offered(self, i: int) -> tuple[int, int]:
        # What the store was last told: with the whole of both warehouses offered (100 %,
        # no cap or buffer), each location shows its warehouse's available stock. The
        # plan works it out through offer(); the store's side needs no such work.
        return i % 97, i % 13

    async def desired(self, skus: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        wanted = range(self.skus) if skus is None else (int(sku[4:]) for sku in skus)
        result = {}
        for i in wanted:
            _, split = offer(self.channel, _sku(i), True, _available(i))
            result[_sku(i)] = self.mappings.per_location(dict(split))
        return result

    async def stocked(self) -> set[str]:
        return {_sku(i) for i in range(self.skus) if i % 97 or i % 13}

    async def bind_items(self, items: Iterable[VendorItem]) -> None:
        return None  # the database is not what this bench measures

    async def write(self, batch: list[Target], compare: Mapping[str, int | None]) -> list[Target]:
        raise AssertionError("the plan writes nothing")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _baseline(skus: int) -> tuple[float, int]:
    desired = {f"{_sku(i)}@L{n}": (i % 97, i % 13)[n - 1] for i in range(skus) for n in (1, 2)}
    vendor = {
        key: value + (1 if int(key[4:11]) % 10 == 0 and key.endswith("L1") else 0) for key, value in desired.items()
    }
    started = time.process_time()
    differ = sum(1 for key, value in vendor.items() if desired[key] != value)
    return time.process_time() - started, differ


async def _plan(skus: int, page: int) -> tuple[float, dict[str, Any]]:
    writer = InMemoryWriter(skus, page)
    started = time.process_time()
    plan = await writer.reconciler().plan(lambda *_: None)
    elapsed = time.process_time() - started
    return elapsed, plan.counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skus", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=250, help="vendor items per page (default 250)")
    args = parser.parse_args(argv)
    console = Console()
    before = _peak_mib()
    seconds, counts = asyncio.run(_plan(args.skus, args.page))
    peak = _peak_mib()
    gc.collect()
    base_seconds, differ = _baseline(args.skus)
    levels = args.skus * len(LOCATIONS)
    table = Table(title=f"Level writer plan: {args.skus:,} SKUs × {len(LOCATIONS)} locations")
    for column in ("", "CPU seconds", "levels/CPU s", "÷ baseline", "peak RSS (MiB)"):
        table.add_column(column, justify="right")
    table.add_row(
        "plan", f"{seconds:.2f}", f"{levels / seconds:,.0f}", f"{seconds / base_seconds:.0f}×", f"{peak:,.0f}"
    )
    table.add_row("baseline dict diff", f"{base_seconds:.2f}", f"{levels / base_seconds:,.0f}", "1×", "")
    console.print(table)
    console.print(
        f"plan counts: {counts}; baseline found {differ:,} levels differing; RSS before the plan {before:,.0f} MiB"
    )
    assert counts["update"] == differ, "the plan and the baseline disagree"
    return 0


if __name__ == "__main__":
    sys.exit(main())
