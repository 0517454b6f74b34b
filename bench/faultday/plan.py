"""The day, drawn from one seed: what the business does, and what goes wrong, when.

Everything random in a run comes from one ``random.Random(seed)`` here, so the same
seed gives the same schedule and the same inputs. What does *not* replay exactly is the
interleaving: a kill lands a few milliseconds earlier or later against the hub's own
work, and a step that picks "an open order" picks among those that exist at that
moment. The schedule and the inputs replay; the race outcomes may differ.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LOCATIONS", "SKUS", "WAREHOUSES", "DayPlan", "Fault", "Step", "plan_day"]

#: The catalogue both sides start with: store location name → hub warehouse code.
LOCATIONS = {"Shanghai DC": "SH", "Hangzhou Store": "HZ"}
WAREHOUSES = tuple(LOCATIONS.values())
SKUS = ("TEA", "CUP", "POT", "MAT", "TIN")

#: What a business does in a day, and how often (weights).
STEP_KINDS = {"store_order": 40, "ship": 20, "receive": 10, "count": 8, "refund": 10, "cancel": 8}
PROCESSES = ("api", "relay", "worker")


@dataclass(frozen=True)
class Step:
    """One thing the business does at ``at`` seconds into the day."""

    at: float
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fault:
    """One fault injected at ``at`` seconds: a process killed (restarted ``restart_after``
    seconds later), the broker frozen for ``seconds``, or PostgreSQL connections cut."""

    at: float
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DayPlan:
    seed: int
    seconds: float
    database: str
    transport: str
    #: The simulator's fault plan (``PATCH /_simulator/config {"faults": …}``).
    store_faults: dict[str, Any]
    steps: list[Step]
    faults: list[Fault]

    def describe(self) -> list[str]:
        """The schedule and inputs, one line each: what replays from the seed."""
        lines = [
            f"seed {self.seed}: {self.seconds:.0f} s day on {self.database}+{self.transport}, "
            f"{len(self.steps)} steps, {len(self.faults)} process/broker/database faults",
            "store faults: " + ", ".join(f"{k}={v}" for k, v in self.store_faults.items()),
        ]
        events = sorted(
            [(s.at, f"step  {s.kind} {s.params}") for s in self.steps]
            + [(f.at, f"FAULT {f.kind} {f.params}") for f in self.faults]
        )
        lines += [f"  {at:6.2f}s {what}" for at, what in events]
        return lines


def plan_day(
    seed: int,
    seconds: float,
    *,
    database: str,
    transport: str,
    steps_per_second: float = 1.5,
    kills_per_minute: float = 6.0,
    outage: tuple[float, float] = (10.0, 30.0),
) -> DayPlan:
    """The day for ``seed``: steps spread over ``seconds``, each process killed at least
    once, PostgreSQL connections cut (PostgreSQL only), the broker frozen once (Kafka only)."""
    rng = random.Random(seed)
    store_faults = {
        "seed": rng.randrange(2**31),
        "rate_429": round(rng.uniform(0.03, 0.08), 3),
        "rate_5xx": round(rng.uniform(0.02, 0.05), 3),
        "slow_rate": round(rng.uniform(0.03, 0.08), 3),
        "slow_ms": rng.randrange(100, 600),
        "timeout_rate": round(rng.uniform(0.01, 0.03), 3),
        "timeout_ms": rng.randrange(200, 800),
        "drop_webhooks": round(rng.uniform(0.05, 0.2), 3),
        "duplicate_webhooks": round(rng.uniform(0.05, 0.2), 3),
    }
    kinds, weights = list(STEP_KINDS), list(STEP_KINDS.values())
    steps = [
        _step(rng, round(rng.uniform(0, seconds), 2), rng.choices(kinds, weights)[0])
        for _ in range(max(1, round(seconds * steps_per_second)))
    ]
    steps.sort(key=lambda step: step.at)

    faults: list[Fault] = []
    kills = max(len(PROCESSES), round(seconds / 60 * kills_per_minute))
    for i in range(kills):
        # Every process at least once, then at random; never in the last tenth of the day.
        name = PROCESSES[i] if i < len(PROCESSES) else rng.choice(PROCESSES)
        at = round(rng.uniform(0.05, 0.85) * seconds, 2)
        faults.append(Fault(at, f"kill_{name}", {"restart_after": round(rng.uniform(0.3, 2.0), 2)}))
    if database == "postgres":
        for _ in range(max(2, round(seconds / 10))):
            faults.append(Fault(round(rng.uniform(0.05, 0.9) * seconds, 2), "pg_terminate", {}))
    if transport == "kafka":
        frozen = round(rng.uniform(*outage), 1)
        faults.append(Fault(round(rng.uniform(0.1, 0.5) * seconds, 2), "broker_pause", {"seconds": frozen}))
    faults.sort(key=lambda fault: fault.at)
    return DayPlan(seed, seconds, database, transport, store_faults, steps, faults)


def _step(rng: random.Random, at: float, kind: str) -> Step:
    if kind == "store_order":
        skus = rng.sample(SKUS, rng.randint(1, 2))
        lines = [[sku, rng.randint(1, 3)] for sku in skus]
        return Step(at, kind, {"location": rng.choice(list(LOCATIONS)), "lines": lines})
    if kind == "receive":
        skus = rng.sample(SKUS, rng.randint(1, 3))
        return Step(at, kind, {"warehouse": rng.choice(WAREHOUSES), "lines": {s: rng.randint(5, 20) for s in skus}})
    if kind == "count":
        return Step(
            at, kind, {"warehouse": rng.choice(WAREHOUSES), "sku": rng.choice(SKUS), "delta": rng.randint(-3, 3)}
        )
    # ship / refund / cancel act on an order that exists then: which one is drawn now.
    return Step(at, kind, {"pick": round(rng.random(), 4)})
