"""Time for the simulator, injectable so throttling tests need no sleeping.

One clock drives both the leaky bucket's refill and the timestamps the store stamps on
records (``createdAt``, ``updatedAt``), so a test that advances it sees both move.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "ManualClock", "iso", "to_datetime"]

#: Seconds since the epoch, like :func:`time.time`.
Clock = Callable[[], float]


class ManualClock:
    """A clock that moves only when told to: ``clock.advance(2.5)``."""

    def __init__(self, start: float | None = None) -> None:
        # 2026-01-01T00:00:00Z unless told otherwise: a fixed, readable epoch for tests.
        self.now = 1_767_225_600.0 if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self.now += seconds


def system_clock() -> float:
    return time.time()


def to_datetime(seconds: float) -> datetime:
    """Shopify stamps records to the second; so does the simulator."""
    return datetime.fromtimestamp(int(seconds), UTC)


def iso(moment: datetime | None) -> str | None:
    """``2026-01-01T00:00:00Z``: the form Shopify's ``DateTime`` scalar takes."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
