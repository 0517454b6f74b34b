"""Plans: what a reconciliation found and intends to do, record by record.

create     the record should exist over there and does not
update     it exists but differs from the desired state (drift, or the hub changed)
unchanged  it already matches: nothing is written
conflict   it cannot be reconciled automatically (e.g. a SKU the platform lacks);
           reported, not written
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

__all__ = ["Action", "ApplyResult", "Plan", "PlanItem", "Progress", "Reconciler", "quiet"]

#: ``progress(phase, done, total)``; total is None while unknown.
Progress = Callable[[str, int, int | None], None]


def quiet(phase: str, done: int, total: int | None) -> None:
    """The progress of a run nobody watches."""
    return None


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class PlanItem:
    #: Identifies the record in the report, e.g. ``"TEA-1@gid://shopify/Location/1"``.
    key: str
    action: Action
    desired: Any = None
    actual: Any = None
    reason: str = ""
    #: Whatever the applier needs that the report need not show.
    context: Any = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "action": self.action.value,
            "desired": self.desired,
            "actual": self.actual,
            "reason": self.reason,
        }


@dataclass
class Plan:
    entity: str
    items: list[PlanItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(item.action.value for item in self.items)
        return {action.value: counted.get(action.value, 0) for action in Action}

    @property
    def writes(self) -> list[PlanItem]:
        return [item for item in self.items if item.action in (Action.CREATE, Action.UPDATE)]


@dataclass
class ApplyResult:
    #: External writes made (requests that changed something over there).
    writes: int = 0
    #: One line per item that failed, with the reason.
    errors: list[dict[str, str]] = field(default_factory=list)
    #: Items found changed on the platform while applying (e.g. a stale compare) and
    #: left for the next run, which reads them afresh.
    deferred: int = 0


class Reconciler(Protocol):
    """One entity's reconciliation: what should be vs what is (:meth:`plan`), then writing
    the difference (:meth:`apply`); :mod:`hub.sync.engine` runs it and records the run."""

    entity: str

    async def plan(self, progress: Progress) -> Plan: ...

    async def apply(self, items: list[PlanItem], progress: Progress) -> ApplyResult: ...
