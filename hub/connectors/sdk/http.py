"""The HTTP client every connector uses: rate limited, retried, errors translated.

Retries are for :class:`RetriableAPIError` only (429, 5xx, transport failures), with
exponential backoff and jitter — or exactly the ``Retry-After`` the vendor sent. A
request that keeps failing raises its last error for the caller (the event runtime
dead-letters it, the sync engine records it in the run report). This is the one retry
loop: at most ``max_attempts`` requests go out for one call, whatever failed.

Limits: ``limiter`` paces every request of the client; ``limits`` adds one per
operation (Amazon SP-API gives each operation its own rate and burst), applied to
``request(..., operation=name)``. A :class:`~hub.connectors.sdk.errors.BudgetSpent`
from a shared budget is passed on at once, never retried here.

Vendors that answer HTTP 200 with errors inside (GraphQL ``THROTTLED``, JSON-RPC
``error``) say so to the ``classify`` hook: it sees every response, inside the
request's limiter slot, before its status is judged, and raises the error it stands
for (:class:`RetriableAPIError` with ``retry_after`` to be retried by this loop,
:class:`FatalAPIError` to stop) or returns None to let the HTTP status decide.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from hub.connectors.sdk.errors import BudgetSpent, RetriableAPIError, for_response, translate
from hub.connectors.sdk.ratelimit import RateLimiter, Sleep, Unlimited, all_of

__all__ = ["ApiClient", "Classify"]

#: The response hook: raise the error a response stands for, or None to let its status decide.
Classify = Callable[[httpx.Response], None]


def _retriable(error: BaseException) -> bool:
    # A spent budget comes back in hours, not seconds: the caller parks the work instead.
    return isinstance(error, RetriableAPIError) and not isinstance(error, BudgetSpent)


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
        auth: httpx.Auth | None = None,
        limiter: RateLimiter | None = None,
        limits: Mapping[str, RateLimiter] | None = None,
        classify: Classify | None = None,
        max_attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.vendor, self.sleep = vendor, sleep
        self.limiter: RateLimiter = limiter or Unlimited()
        #: Per operation name: its limiter, then the client's (see :meth:`request`).
        self.limits = {name: all_of(own, self.limiter) for name, own in (limits or {}).items()}
        self.classify = classify
        self.max_attempts, self.backoff, self.max_backoff = max_attempts, backoff, max_backoff
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=dict(headers or {}), auth=auth, timeout=timeout, transport=transport
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        cost: float = 1,
        operation: str | None = None,
        classify: Classify | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send with retries; the response returned is a success (< 400, and ``classify``
        raised nothing). ``operation`` picks its limiter from ``limits``; ``classify``
        replaces the client's hook for this call (e.g. to know what the call reserved)."""
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_wait(self.backoff, self.max_backoff),
            retry=retry_if_exception(_retriable),
            reraise=True,
            sleep=self.sleep,
        ):
            with attempt:
                return await self.send_once(method, url, cost=cost, operation=operation, classify=classify, **kwargs)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def send_once(
        self,
        method: str,
        url: str,
        *,
        cost: float = 1,
        operation: str | None = None,
        classify: Classify | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One attempt: wait for the limiters, send, classify, translate failures."""
        limiter = self.limits.get(operation, self.limiter) if operation is not None else self.limiter
        classify = classify or self.classify
        async with limiter.slot(cost):
            try:
                response = await self._http.request(method, url, **kwargs)
            except httpx.HTTPError as error:
                raise translate(error, self.vendor) from error
            if classify is not None:
                classify(response)  # inside the slot: a hook may re-sync the limiter
        problem = for_response(response, self.vendor)
        if problem is not None:
            raise problem
        return response

    async def aclose(self) -> None:
        await self._http.aclose()
