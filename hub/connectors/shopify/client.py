"""Shopify Admin GraphQL, paced by the store's cost-point bucket.

Before sending, a request reserves its *requested* cost (computed from the document and
variables by Shopify's rules, or what the store charged for it last time if that was
more) in the local bucket, and waits if the bucket does not hold it — so the client
never asks for more than the store has. Each response's ``throttleStatus`` re-syncs
the bucket. A ``THROTTLED`` answer (another app shares the bucket, or our estimate was
low) waits for the deficit to restore and tries again.

The bucket is the SDK client's limiter and :class:`_Answer` its response hook, so a
``THROTTLED`` answer, a 429 and a 5xx are all retried by the SDK's one retry loop:
at most ``max_attempts`` requests per document, whatever went wrong.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import httpx

from hub.connectors.sdk.errors import AuthenticationError, FatalAPIError, ThrottledError
from hub.connectors.sdk.http import ApiClient
from hub.connectors.sdk.ratelimit import CostBucket, Sleep
from hub.connectors.shopify.config import ShopifyConfig
from hub.connectors.shopify.cost import requested_cost

__all__ = ["GraphQLError", "ShopifyClient"]


class GraphQLError(FatalAPIError):
    """The store answered with GraphQL errors (not throttling)."""


def _key(document: str, variables: Mapping[str, Any]) -> str:
    sizes = {k: v for k, v in variables.items() if isinstance(v, int)}
    return f"{hash(document)}:{json.dumps(sizes, sort_keys=True)}"


class ShopifyClient:
    def __init__(
        self,
        config: ShopifyConfig,
        bucket: CostBucket,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_attempts: int = 6,
        backoff: float = 0.5,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bucket, self.sleep = bucket, sleep
        self.path = f"/admin/api/{config.api_version}/graphql.json"
        self.config, self.transport, self.backoff = config, transport, backoff
        self._api: ApiClient | None = None
        self.max_attempts = max_attempts
        #: Requested costs the store reported, by document and page sizes.
        self._charged: dict[str, int] = {}
        #: Requested costs worked out from the schema, by document and page sizes.
        self._requested: dict[str, int] = {}
        #: Requests sent and THROTTLED answers received (for status and benchmarks).
        self.requests = 0
        self.throttled = 0

    @property
    def api(self) -> ApiClient:
        """Made on first use: the hub builds a connector to check a webhook's signature or
        read its allocation, which must not pay for an HTTP client (~40 ms of SSL set-up)."""
        if self._api is None:
            self._api = ApiClient(
                "Shopify",
                self.config.shop_url,
                headers={
                    "X-Shopify-Access-Token": self.config.access_token.get_secret_value(),
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
                limiter=self.bucket,
                max_attempts=self.max_attempts,
                backoff=self.backoff,
                transport=self.transport,
                sleep=self.sleep,
            )
        return self._api

    async def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Run one document; returns its ``data``. Retries throttling and transient failures."""
        variables = dict(variables or {})
        key = _key(document, variables)
        requested = self._requested.get(key)
        if requested is None:
            # What a document costs depends on it and its page sizes (the integer
            # variables) alone, so it is worked out once per shape: coercing a 250-level
            # mutation's variables every time cost ~20 µs per SKU pushed.
            requested = self._requested[key] = requested_cost(document, variables)
        cost = max(requested, self._charged.get(key, 0))
        cost = min(cost, int(self.bucket.capacity))
        answer = _Answer(self, key, cost)
        await self.api.request(
            "POST", self.path, cost=cost, classify=answer, json={"query": document, "variables": variables}
        )
        data: dict[str, Any] = answer.body.get("data") or {}
        return data

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.aclose()


class _Answer:
    """The response hook of one :meth:`ShopifyClient.execute`: re-syncs the bucket from
    ``throttleStatus``, raises what GraphQL errors stand for, keeps the parsed body."""

    def __init__(self, client: ShopifyClient, key: str, cost: float) -> None:
        self.client, self.key, self.cost = client, key, cost
        self.body: dict[str, Any] = {}

    def __call__(self, response: httpx.Response) -> None:
        client = self.client
        client.requests += 1
        if response.status_code >= 400:
            return  # the status says what it is (401: bad token, 429, 5xx)
        body = self.body = response.json()
        charged = (body.get("extensions") or {}).get("cost")
        if charged:
            status = charged["throttleStatus"]
            client.bucket.observe(
                currently_available=float(status["currentlyAvailable"]),
                maximum_available=float(status["maximumAvailable"]),
                restore_rate=float(status["restoreRate"]),
                own_cost=self.cost,
            )
            requested = int(charged.get("requestedQueryCost") or 0)
            if requested > client._charged.get(self.key, 0):
                client._charged[self.key] = requested
        errors = body.get("errors")
        if errors:
            raise self._error(errors, charged)

    def _error(self, errors: Any, charged: Mapping[str, Any] | None) -> Exception:
        if not isinstance(errors, list):  # REST-style {"errors": "..."}
            return GraphQLError(f"Shopify: {errors}")
        codes = {(error.get("extensions") or {}).get("code") for error in errors}
        messages = "; ".join(str(error.get("message")) for error in errors)[:500]
        if "THROTTLED" in codes:
            bucket = self.client.bucket
            self.client.throttled += 1
            wanted = float((charged or {}).get("requestedQueryCost") or 0)
            deficit = max(0.0, wanted - bucket.available)
            return ThrottledError(f"Shopify throttled: {messages}", retry_after=max(0.5, deficit / bucket.restore_rate))
        if "ACCESS_DENIED" in codes:
            return AuthenticationError(f"Shopify denied access: {messages}", status=403)
        return GraphQLError(f"Shopify GraphQL errors: {messages}")
