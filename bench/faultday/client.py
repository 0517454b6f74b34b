"""The harness's side of the hub's API: every call retried until the hub answers.

Processes die under the harness on purpose, so a request may meet a closed port, a
dropped connection or a 5xx (a PostgreSQL connection cut mid-request). Every write
carries an ``Idempotency-Key`` derived from the step, so retrying one whose first
attempt did commit is answered from the first response, with no second effect.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

__all__ = ["HubClient"]


class HubClient:
    def __init__(self, base_url: str, key: str, *, patience: float = 120.0) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        self.patience = patience
        #: Attempts that met a dead process or a 5xx and were made again.
        self.retries = 0
        #: Answers replayed from an Idempotency-Key (a first attempt had committed).
        self.replayed = 0

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> httpx.Response:
        """The hub's answer (< 500); retries transport failures and 5xx for ``patience`` seconds."""
        if method != "GET" and key is None:
            raise ValueError(f"{method} {path}: every write carries an Idempotency-Key")
        headers = {"Idempotency-Key": key} if key else {}
        deadline = time.monotonic() + self.patience
        while True:
            try:
                response = await self.http.request(method, path, json=json, params=params, headers=headers)
                if response.status_code < 500:
                    if response.headers.get("Idempotent-Replayed") == "true":
                        self.replayed += 1
                    return response
                why = f"{response.status_code} {response.text[:200]}"
            except httpx.TransportError as error:
                why = repr(error)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path}: no answer within {self.patience:.0f}s (last: {why})")
            self.retries += 1
            await asyncio.sleep(0.2)

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.call(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    async def aclose(self) -> None:
        await self.http.aclose()
