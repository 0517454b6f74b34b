"""A seeded fault plan: the store misbehaving the ways a real one does, on purpose.

Shopify answers 429 when an app calls too fast, 5xx when it is having a bad moment,
sometimes slowly, and now and then its edge gives up on a request the store went on to
complete (a 504 whose write *did* happen — the case idempotency exists for). Webhooks
are at least once: some never arrive, some arrive twice. A :class:`FaultPlan` decides,
per GraphQL request and per webhook, which of those happens, from one
``random.Random(seed)`` so a run can be replayed from its seed (the order in which
requests reach the store still depends on timing; the draws do not).

    sim.configure(faults={"seed": 7, "rate_429": 0.1, "rate_5xx": 0.05, "slow_rate": 0.1,
                          "slow_ms": 300, "timeout_rate": 0.02, "timeout_ms": 500,
                          "drop_webhooks": 0.1, "duplicate_webhooks": 0.1})

Every fault is counted (``counts``, ``GET /_simulator/faults``) so a harness can say
what it injected. An empty plan (the default) injects nothing and draws nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ApiFault", "FaultPlan", "FaultSettings", "WebhookFault"]

Rate = Annotated[float, Field(ge=0, le=1)]
ApiFault = Literal["429", "5xx", "timeout", "slow"]
WebhookFault = Literal["drop", "duplicate"]

#: What Shopify says when an app exceeds the call rate (REST-style body, as Shopify sends).
THROTTLED_BODY = {
    "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
}
#: 5xx statuses Shopify is seen to answer, one drawn per fault.
SERVER_ERRORS = (500, 502, 503)


class FaultSettings(BaseModel):
    """The plan as configured: rates are probabilities per request (or per webhook)."""

    model_config = ConfigDict(extra="forbid")

    seed: int = 0
    rate_429: Rate = 0.0
    rate_5xx: Rate = 0.0
    #: Requests answered late by ``slow_ms`` (then normally).
    slow_rate: Rate = 0.0
    slow_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    #: Requests the store completes but answers with 504 after ``timeout_ms``.
    timeout_rate: Rate = 0.0
    timeout_ms: Annotated[int, Field(ge=0, le=60_000)] = 0
    drop_webhooks: Rate = 0.0
    duplicate_webhooks: Rate = 0.0


class FaultPlan:
    def __init__(self, settings: FaultSettings | None = None) -> None:
        self.settings = settings or FaultSettings()
        self.rng = random.Random(self.settings.seed)
        #: Faults injected so far, by kind (``429``, ``5xx``, ``timeout``, ``slow``, ``drop``, ``duplicate``).
        self.counts: Counter[str] = Counter()

    def configure(self, settings: FaultSettings) -> None:
        """Replace the plan; the random stream restarts from the new seed, the counts go on."""
        self.settings, self.rng = settings, random.Random(settings.seed)

    @property
    def active(self) -> bool:
        s = self.settings
        return any((s.rate_429, s.rate_5xx, s.slow_rate, s.timeout_rate, s.drop_webhooks, s.duplicate_webhooks))

    def api_fault(self) -> ApiFault | None:
        """What goes wrong with this GraphQL request, if anything (one draw per request)."""
        s = self.settings
        if not (s.rate_429 or s.rate_5xx or s.slow_rate or s.timeout_rate):
            return None
        draw = self.rng.random()
        for kind, rate in (
            ("429", s.rate_429),
            ("5xx", s.rate_5xx),
            ("timeout", s.timeout_rate),
            ("slow", s.slow_rate),
        ):
            if draw < rate:
                self.counts[kind] += 1
                return kind  # type: ignore[return-value]
            draw -= rate
        return None

    def server_error(self) -> int:
        return self.rng.choice(SERVER_ERRORS)

    def webhook_fault(self) -> WebhookFault | None:
        """Whether this webhook is lost or sent twice (one draw per webhook)."""
        s = self.settings
        if not (s.drop_webhooks or s.duplicate_webhooks):
            return None
        draw = self.rng.random()
        if draw < s.drop_webhooks:
            self.counts["drop"] += 1
            return "drop"
        if draw < s.drop_webhooks + s.duplicate_webhooks:
            self.counts["duplicate"] += 1
            return "duplicate"
        return None

    def as_json(self) -> dict[str, Any]:
        return {**self.settings.model_dump(), "injected": dict(sorted(self.counts.items()))}
