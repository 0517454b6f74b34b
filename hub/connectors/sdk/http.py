"""The HTTP client every connector uses: rate limited, retried, errors translated.

Retries are for :class:`RetriableAPIError` only (429, 5xx, transport failures), with
exponential backoff and jitter — or exactly the ``Retry-After`` the vendor sent. A
request that keeps failing raises its last error for the caller (the event runtime
dead-letters it, the sync engine records it in the run report).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from hub.connectors.sdk.errors import RetriableAPIError, for_response, translate
from hub.connectors.sdk.ratelimit import RateLimiter, Sleep, Unlimited

__all__ = ["ApiClient"]


def _wait(initial: float, ceiling: float) -> Any:
    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        backoff = min(ceiling, initial * 2 ** (state.attempt_number - 1))
        return float(backoff * (0.5 + random.random() / 2))  # jitter: spread retries apart

    return wait


class ApiClient:
    def __init__(
        self,
        vendor: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        limiter: RateLimiter | None = None,
        max_attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.vendor, self.sleep = vendor, sleep
        self.limiter: RateLimiter = limiter or Unlimited()
        self.max_attempts, self.backoff, self.max_backoff = max_attempts, backoff, max_backoff
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=dict(headers or {}), timeout=timeout, transport=transport
        )

    async def request(self, method: str, url: str, *, cost: float = 1, **kwargs: Any) -> httpx.Response:
        """Send with retries; the response returned is a success (< 400)."""
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_wait(self.backoff, self.max_backoff),
            retry=retry_if_exception_type(RetriableAPIError),
            reraise=True,
            sleep=self.sleep,
        ):
            with attempt:
                return await self.send_once(method, url, cost=cost, **kwargs)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def send_once(self, method: str, url: str, *, cost: float = 1, **kwargs: Any) -> httpx.Response:
        """One attempt: wait for the limiter, send, translate failures."""
        async with self.limiter.slot(cost):
            try:
                response = await self._http.request(method, url, **kwargs)
            except httpx.HTTPError as error:
                raise translate(error, self.vendor) from error
        problem = for_response(response, self.vendor)
        if problem is not None:
            raise problem
        return response

    async def aclose(self) -> None:
        await self._http.aclose()
