"""The per-store leaky bucket of cost points, as Shopify runs it for an app on a store.

The bucket holds up to ``size`` points and refills continuously at ``restore_rate``
points a second. A query whose requested cost is more than the points available is
refused whole (``THROTTLED``, nothing charged); one dearer than the single-query limit
can never run (``MAX_COST_EXCEEDED``). Otherwise the requested cost is taken before the
query runs and the unused part given back afterwards.

Plans (points per second, shopify.dev): Standard 100, Advanced 200, Plus 1000,
Enterprise 2000; the bucket is 1000 points unless configured otherwise.
"""

from __future__ import annotations

from typing import Any

from hub.simulators.shopify.clock import Clock, system_clock

__all__ = ["PLANS", "LeakyBucket"]

#: restore rate by plan name, for ``configure(plan=...)``
PLANS = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0, "enterprise": 2000.0}


class LeakyBucket:
    def __init__(
        self,
        size: float = 1000.0,
        restore_rate: float = 100.0,
        *,
        max_query_cost: float = 1000.0,
        clock: Clock = system_clock,
    ) -> None:
        self.clock = clock
        self.configure(size=size, restore_rate=restore_rate, max_query_cost=max_query_cost)
        self.level = self.size
        self._stamp = clock()

    def configure(
        self, *, size: float | None = None, restore_rate: float | None = None, max_query_cost: float | None = None
    ) -> None:
        """Change the plan's figures; a larger bucket starts full, a smaller one is capped."""
        if size is not None:
            if size <= 0:
                raise ValueError("bucket size must be positive")
            self.size = float(size)
            self.level = self.size
        if restore_rate is not None:
            if restore_rate <= 0:
                raise ValueError("restore rate must be positive")
            self.restore_rate = float(restore_rate)
        if max_query_cost is not None:
            self.max_query_cost = float(max_query_cost)

    @property
    def single_query_limit(self) -> float:
        return min(self.size, self.max_query_cost)

    def available(self) -> float:
        now = self.clock()
        # to a thousandth of a point: an epoch-sized float clock makes 0.1 s × 100 points/s 9.99999
        self.level = round(min(self.size, self.level + max(0.0, now - self._stamp) * self.restore_rate), 3)
        self._stamp = now
        return self.level

    def try_take(self, cost: float) -> bool:
        if cost > self.available():
            return False
        self.level -= cost
        return True

    def give_back(self, points: float) -> None:
        self.available()
        self.level = min(self.size, self.level + max(0.0, points))

    def refill(self) -> None:
        """Fill the bucket (test control)."""
        self.level, self._stamp = self.size, self.clock()

    def status(self) -> dict[str, Any]:
        """``throttleStatus`` as Shopify reports it."""
        return {
            "maximumAvailable": self.size,
            "currentlyAvailable": int(self.available()),
            "restoreRate": self.restore_rate,
        }
