"""Rate limiters that follow the vendors' own models, one per connector instance.

- :class:`TokenBucket` — N requests per period with a burst (Xero 60/min, QBO 500/min,
  Amazon per operation), optionally with a cap on requests in flight (Xero: 5).
- :class:`CostBucket` — Shopify's leaky bucket of query-cost points: a request waits
  until the bucket holds its cost, and every response's ``throttleStatus`` re-syncs the
  local picture with the server's, so the client never asks for more than is there.
- :func:`all_of` — several limits on one request: an operation's own rate (Amazon
  SP-API), the account's rate, a budget shared with other processes
  (:class:`~hub.connectors.sdk.budgets.SharedBudget`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol

__all__ = ["Clock", "CostBucket", "RateLimiter", "Sleep", "TokenBucket", "Unlimited", "all_of"]

#: How a limiter waits; tests pass one that moves their fake clock instead of sleeping.
Sleep = Callable[[float], Awaitable[None]]
#: How a limiter reads the time, in seconds (tests pass a fake clock).
Clock = Callable[[], float]


class RateLimiter(Protocol):
    def slot(self, cost: float = 1) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold a request slot of ``cost`` units for the duration of the request."""
        ...


class Unlimited:
    @contextlib.asynccontextmanager
    async def slot(self, cost: float = 1) -> AsyncIterator[None]:
        yield


class _AllOf:
    def __init__(self, limiters: tuple[RateLimiter, ...]) -> None:
        self.limiters = limiters

    @contextlib.asynccontextmanager
    async def slot(self, cost: float = 1) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            for limiter in self.limiters:
                await stack.enter_async_context(limiter.slot(cost))
            yield


def all_of(*limiters: RateLimiter | None) -> RateLimiter:
    """One limiter holding a slot of each of ``limiters`` in turn (None ones left out).

    Put the narrowest first (an operation's rate before the account's, a shared budget
    last): a request waiting for its operation holds nothing the others need.
    """
    chosen = tuple(limiter for limiter in limiters if limiter is not None and not isinstance(limiter, Unlimited))
    if not chosen:
        return Unlimited()
    return chosen[0] if len(chosen) == 1 else _AllOf(chosen)


class _Bucket:
    """Units refill continuously at ``rate`` per second up to ``capacity``."""

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate, self.capacity, self.clock, self.sleep = rate, capacity, clock, sleep
        self.level = capacity
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self._stamp) * self.rate)
        self._stamp = now

    async def take(self, cost: float) -> None:
        """Wait until ``cost`` units are there, then take them (first come, first served)."""
        cost = min(cost, self.capacity)  # a request dearer than the bucket waits for a full one
        async with self._lock:
            while True:
                self._refill()
                # Within float dust of the cost is enough: a wait of 1e-16 s may not move
                # the clock at all, and the request would wait for ever.
                if self.level >= cost - 1e-9:
                    self.level -= cost
                    return
                await self.sleep((cost - self.level) / self.rate)


class TokenBucket:
    def __init__(
        self,
        per_second: float,
        burst: float,
        *,
        concurrency: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bucket = _Bucket(per_second, burst, clock, sleep)
        self._in_flight = asyncio.Semaphore(concurrency) if concurrency else None

    @classmethod
    def per_minute(
        cls,
        count: int,
        *,
        concurrency: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> TokenBucket:
        return cls(count / 60.0, count, concurrency=concurrency, clock=clock, sleep=sleep)

    @contextlib.asynccontextmanager
    async def slot(self, cost: float = 1) -> AsyncIterator[None]:
        if self._in_flight is None:
            await self._bucket.take(cost)
            yield
            return
        async with self._in_flight:
            await self._bucket.take(cost)
            yield


class CostBucket:
    """Shopify's cost-point leaky bucket, kept in step with the server's throttle status.

    Points reserved by requests still in flight are kept apart, so a response's
    ``throttleStatus`` (which cannot know of them yet) never hands them out twice.
    """

    def __init__(
        self,
        restore_rate: float = 100.0,
        capacity: float = 1000.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ):
        self._bucket = _Bucket(restore_rate, capacity, clock, sleep)
        self._in_flight = 0.0

    @property
    def available(self) -> float:
        self._bucket._refill()
        return self._bucket.level

    @property
    def restore_rate(self) -> float:
        return self._bucket.rate

    @property
    def capacity(self) -> float:
        return self._bucket.capacity

    @contextlib.asynccontextmanager
    async def slot(self, cost: float = 1) -> AsyncIterator[None]:
        await self._bucket.take(cost)
        self._in_flight += cost
        try:
            yield
        finally:
            self._in_flight -= cost

    def observe(
        self, *, currently_available: float, maximum_available: float, restore_rate: float, own_cost: float = 0
    ) -> None:
        """Adopt the server's view (``extensions.cost.throttleStatus``) after a response.

        ``own_cost`` is what the observing request reserved: the server has settled it,
        while the other requests in flight are still to be charged.
        """
        bucket = self._bucket
        others = max(0.0, self._in_flight - own_cost)
        bucket.capacity, bucket.rate = maximum_available, restore_rate
        bucket.level = max(0.0, min(maximum_available, currently_available) - others)
        bucket._stamp = bucket.clock()
