"""What the kit puts between a connector and its fake vendor, and fake time for unit
tests of a client's pacing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx

__all__ = ["FakeTime", "FaultyTransport", "RequestBudgetExceeded"]


class RequestBudgetExceeded(AssertionError):
    """More requests than the test allows: something reads in a loop (most often a
    paginator that never ends). Not an httpx error, so no retry swallows it."""


class FaultyTransport(httpx.AsyncBaseTransport):
    """The fake vendor's transport, with failures on demand and a request budget.

    ``fail(503, times=2)`` answers the next two requests with 503 before the vendor
    sees them, with ``Retry-After: 0`` so retries cost no waiting; ``times=None`` keeps
    failing until :meth:`heal`. ``rewrite(request, response)`` may alter the vendor's
    responses (to make its pagination loop, say). Past ``limit`` requests every request raises
    :class:`RequestBudgetExceeded`.
    """

    def __init__(self, vendor: httpx.AsyncBaseTransport, *, limit: int = 5_000) -> None:
        self.vendor, self.limit = vendor, limit
        self.requests = 0
        self.rewrite: Callable[[httpx.Request, httpx.Response], Awaitable[httpx.Response]] | None = None
        self._status: int | None = None
        self._left: int | None = None
        self._retry_after: float | None = None

    def allow(self, requests: int) -> None:
        """From now on, allow this many more requests."""
        self.limit = self.requests + requests

    def fail(self, status: int, times: int | None = 1, *, retry_after: float | None = 0) -> None:
        self._status, self._left, self._retry_after = status, times, retry_after

    def heal(self) -> None:
        self._status = self._left = None

    @property
    def failures_left(self) -> int | None:
        """Injected failures not yet answered (None: failing until healed)."""
        return 0 if self._status is None else self._left

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests > self.limit:
            raise RequestBudgetExceeded(f"request {self.requests} is past the budget: {request.method} {request.url}")
        if self._status is not None and self._left != 0:
            if self._left is not None:
                self._left -= 1
            headers = {} if self._retry_after is None else {"Retry-After": f"{self._retry_after:g}"}
            return httpx.Response(
                self._status, headers=headers, json={"errors": "injected by the conformance kit"}, request=request
            )
        response = await self.vendor.handle_async_request(request)
        if self.rewrite is not None:
            await response.aread()
            response = await self.rewrite(request, response)
        return response

    async def aclose(self) -> None:
        """Connectors close their clients; the vendor outlives them (the test closes it)."""


class FakeTime:
    """A clock that moves only when slept on, and the sleep that moves it — pass both
    to a client or limiter (``clock=time, sleep=time.sleep``) and read :attr:`sleeps`."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still yield, as a real sleep would
