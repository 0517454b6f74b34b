"""Budgets a vendor counts per account, shared by every process of an instance.

An in-process limiter (:mod:`hub.connectors.sdk.ratelimit`) paces one process; a vendor
that counts calls per account — Xero's 5,000 calls a day and 60 a minute per tenant —
sees every worker, API process and CLI run of the instance together, and a day's count
must survive a restart. A connector declares such a quota as a :class:`Budget`::

    CALLS_A_DAY = Budget("day", limit=5000, window=DAY)
    limiter = SharedBudget(env.budgets, connector_id, CALLS_A_DAY, clock=env.clock, sleep=env.sleep)

and hands the limiter to its :class:`~hub.connectors.sdk.http.ApiClient` (with
:func:`~hub.connectors.sdk.ratelimit.all_of` beside its in-process buckets).

Windows are fixed and aligned to the Unix epoch, so a one-day window is a UTC day and
every process agrees on it from its own clock. The count lives behind the
:class:`BudgetStore` port: ``hub.db`` keeps it in a table, taken by one conditional
``UPDATE`` (race-free across processes); :class:`MemoryBudgets` keeps it in memory
(one process, and tests).

When a request would overspend its window, the limiter waits for the next window if
it starts within ``max_wait`` seconds (a minute quota), and otherwise raises
:class:`~hub.connectors.sdk.errors.BudgetSpent` naming when the budget comes back: the
SDK's retry loop does not retry it, and the instance's worker parks the batch in its
queue until then without counting a failed attempt (nothing is lost or dead-lettered).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from hub.connectors.sdk.errors import BudgetSpent
from hub.connectors.sdk.ratelimit import Clock, Sleep

__all__ = ["DAY", "HOUR", "MINUTE", "Budget", "BudgetStore", "MemoryBudgets", "SharedBudget"]

#: Window lengths, seconds.
MINUTE, HOUR, DAY = 60, 3600, 86_400


@dataclass(frozen=True)
class Budget:
    """``limit`` units (calls, unless the caller says a request costs more) per ``window`` seconds."""

    name: str
    limit: int
    window: int

    def __post_init__(self) -> None:
        if self.limit <= 0 or self.window <= 0:
            raise ValueError("a budget's limit and window must be positive")

    def window_start(self, now: float) -> int:
        """The start (epoch seconds) of the window ``now`` falls in."""
        return int(now // self.window) * self.window

    def __str__(self) -> str:
        return f"{self.name} ({self.limit} per {_span(self.window)})"


class BudgetStore(Protocol):
    """Where budgets are counted: one counter per (instance, budget), for its current window."""

    async def take(self, connector_id: str, budget: str, window_start: int, limit: int, units: int) -> bool:
        """Add ``units`` to the window's count if it stays within ``limit``; False (and
        nothing counted) if it would not. A counter of an older window starts again."""
        ...


class MemoryBudgets:
    """:class:`BudgetStore` in this process's memory (the default, and tests' fake)."""

    def __init__(self) -> None:
        #: (connector, budget) → (window start, units used)
        self.counters: dict[tuple[str, str], tuple[int, int]] = {}

    async def take(self, connector_id: str, budget: str, window_start: int, limit: int, units: int) -> bool:
        start, used = self.counters.get((connector_id, budget), (window_start, 0))
        if start < window_start:
            start, used = window_start, 0
        if used + units > limit:
            return False
        self.counters[connector_id, budget] = (start, used + units)
        return True


class SharedBudget:
    """A rate limiter (``slot(cost)``) drawing on one instance's shared :class:`Budget`."""

    def __init__(
        self,
        store: BudgetStore,
        connector_id: str,
        budget: Budget,
        *,
        vendor: str = "",
        max_wait: float = 60.0,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.store, self.connector_id, self.budget = store, connector_id, budget
        self.vendor, self.max_wait, self.clock, self.sleep = vendor or connector_id, max_wait, clock, sleep

    @contextlib.asynccontextmanager
    async def slot(self, cost: float = 1) -> AsyncIterator[None]:
        await self.take(cost)
        yield

    async def take(self, cost: float = 1) -> None:
        """Count ``cost`` units (rounded up) against the window, waiting for the next one
        if it is near; raise :class:`BudgetSpent` if it is not."""
        budget, units = self.budget, min(self.budget.limit, max(1, math.ceil(cost)))
        while True:
            now = self.clock()
            start = budget.window_start(now)
            if await self.store.take(self.connector_id, budget.name, start, budget.limit, units):
                return
            reset = start + budget.window
            if reset - now > self.max_wait:
                until = datetime.fromtimestamp(reset, UTC)
                raise BudgetSpent(
                    f"{self.vendor} budget {budget} spent until {until:%Y-%m-%d %H:%M} UTC",
                    until=until,
                    retry_after=reset - now,
                )
            await self.sleep(reset - now)


def _span(seconds: int) -> str:
    for unit, size in (("day", DAY), ("hour", HOUR), ("minute", MINUTE)):
        if seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return f"{seconds} s"
