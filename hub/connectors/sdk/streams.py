"""Incremental streams: records the vendor changes, brought into the hub exactly once.

A stream states only what differs from one vendor to the next — how to fetch a page of
records changed since the cursor, how to read one record, what its key and version
are, why one cannot come in yet, and how to create or update the hub's record — and
gets the rest:

- **one record** (:meth:`IncrementalStream.bring_in`): read it, then in one unit of work
  create the hub record and bind it, or update the bound one and remember the version
  seen; a record that cannot come in yet (an unknown SKU, an unmapped location) is
  *held* on the connector with the reason, and released once it comes in;
- **queued work** (:meth:`IncrementalStream.pull`): webhooks and the poll only enqueue
  keys, the worker brings each in, an error on one key does not stop the others;
- **the poll** (:meth:`IncrementalStream.reconciler`): records changed since the cursor
  plus every held one, planned against the bindings (a version already seen is
  unchanged), brought in oldest first; the cursor follows the records that went
  through and never passes one that failed, so the next poll reads it again;
- **the start** (:meth:`IncrementalStream.start`): records made before the connector was
  added are not brought in (the ``since`` cursor).

Level-triggered: a record delivered twice, late or out of order ends the same way,
because each time the hub is brought in line with the record as the vendor has it now.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import ClassVar, Generic, TypeVar

from hub.connectors.sdk.errors import BudgetSpent, ConnectorError, ReauthorizationRequired
from hub.connectors.sdk.pagination import Page, paginate
from hub.connectors.sdk.ports import ConnectorUnitOfWork, ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.core.errors import DomainError
from hub.sync.plan import Action, ApplyResult, Plan, PlanItem, Progress

__all__ = ["CREATED", "GONE", "HELD", "MISSING", "TOO_OLD", "UNCHANGED", "UNWRITTEN", "IncrementalStream"]

#: What bringing one record in may say when it changed nothing in the hub.
HELD, UNCHANGED, TOO_OLD, GONE, MISSING = (
    "held",
    "unchanged",
    "older than the connector",
    "no longer at the vendor",
    "bound record missing",
)
UNWRITTEN = frozenset({HELD, UNCHANGED, TOO_OLD, GONE, MISSING})
CREATED = "created"

#: A record as the vendor sends it (a GraphQL node, a JSON object …).
R = TypeVar("R")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class IncrementalStream(ABC, Generic[R]):
    """Subclass, set the class attributes and fill the hooks (see the module docstring)."""

    #: The reconciliation's entity ("orders"); cursors are named after it.
    name: ClassVar[str]
    #: What one record is, in bindings and holds ("order").
    record: ClassVar[str]
    #: The field the cursor follows; values sort as strings (ISO timestamps).
    cursor_field: ClassVar[str] = "updated_at"

    def __init__(self, connector_id: str, uows: ConnectorUnitOfWorks) -> None:
        self.id, self.uows = connector_id, uows

    @property
    def cursor(self) -> str:
        return f"{self.name}.{self.cursor_field}"

    @property
    def since(self) -> str:
        return f"{self.name}.since"

    # -- hooks: what differs from one vendor to the next ---------------------------------------

    @abstractmethod
    async def fetch(self, token: str | None, cursor: str | None, since: str | None) -> Page[R]:
        """One page of records changed at or after ``cursor`` (None: all) and made at or
        after ``since``; ``token`` None for the first page."""

    @abstractmethod
    async def read(self, key: str) -> R | None:
        """One record as the vendor has it now (None: it is gone)."""

    @abstractmethod
    def key(self, record: R) -> str:
        """The vendor's id of a record (what bindings and holds are keyed by)."""

    @abstractmethod
    def version(self, record: R) -> str:
        """The record's value of :attr:`cursor_field` (ISO timestamp)."""

    def created(self, record: R) -> str:
        """When the record was made (ISO); records older than the connector stay out."""
        return self.version(record)

    def label(self, record: R) -> str:
        """How a hold names the record to a person (an order's number)."""
        return self.key(record)

    @abstractmethod
    async def unmappable(self, uow: ConnectorUnitOfWork, record: R) -> str | None:
        """Why the record cannot come in yet (it is then held), or None."""

    @abstractmethod
    async def create(self, uow: ConnectorUnitOfWork, record: R) -> str:
        """Make the hub's record; answer its id (the stream binds it)."""

    @abstractmethod
    async def update(self, uow: ConnectorUnitOfWork, record: R, canonical_id: str) -> str:
        """Bring the bound hub record in line; answer what was done (:data:`UNCHANGED`,
        :data:`MISSING` when the hub record is gone, or words of the stream's own)."""

    # -- provided -------------------------------------------------------------------------------

    async def start(self, uow: ConnectorUnitOfWork) -> None:
        """In the transaction that adds the instance: records made before now stay out."""
        now = now_iso()
        await uow.cursors.advance(self.id, self.since, now)
        await uow.cursors.advance(self.id, self.cursor, now)

    async def pull(self, keys: list[str]) -> dict[str, str | None]:
        """Queued work: bring each record in; each key's error, or None."""
        result: dict[str, str | None] = {}
        for key in keys:
            try:
                await self.bring_in(key)
                result[key] = None
            except (BudgetSpent, ReauthorizationRequired):
                raise  # the instance must wait, not the keys: the worker parks the batch
            except (ConnectorError, DomainError) as error:
                result[key] = f"{type(error).__name__}: {error}"
        return result

    async def bring_in(self, key: str) -> str:
        """Read one record and bring the hub in line; says what was done."""
        record = await self.read(key)
        return GONE if record is None else await self.apply(record)

    async def apply(self, record: R) -> str:
        """Bring the hub in line with one record as the vendor has it; says what was done."""
        key = self.key(record)
        async with self.uows() as uow:
            binding = await uow.bindings.by_external(self.id, self.record, key)
            if binding is None:
                since = await uow.cursors.get(self.id, self.since)
                if since is not None and self.created(record) < since:
                    return TOO_OLD
                outcome = await self._create(uow, record)
            else:
                outcome = await self.update(uow, record, binding.canonical_id)
                binding.last_version = self.version(record)
                await uow.bindings.save(binding)
            await uow.commit()
        return outcome

    async def _create(self, uow: ConnectorUnitOfWork, record: R) -> str:
        key = self.key(record)
        reason = await self.unmappable(uow, record)
        if reason is not None:
            await uow.holds.hold(self.id, self.record, key, f"{self.label(record)}: {reason}")
            return HELD
        canonical_id = await self.create(uow, record)
        await uow.bindings.add(Binding(self.id, self.record, canonical_id, key, last_version=self.version(record)))
        await uow.holds.release(self.id, self.record, key)
        return CREATED

    def changed_since(self, cursor: str | None, since: str | None = None) -> AsyncIterator[R]:
        """Every record changed since ``cursor`` (and made since ``since``), page by page."""

        async def page(token: str | None) -> Page[R]:
            return await self.fetch(token, cursor, since)

        return paginate(page)

    def reconciler(self) -> StreamReconciler[R]:
        return StreamReconciler(self)


class StreamReconciler(Generic[R]):
    """The poll: records changed since the cursor, and every held one, brought in."""

    def __init__(self, stream: IncrementalStream[R]) -> None:
        self.stream = stream
        self.entity = stream.name

    async def plan(self, progress: Progress) -> Plan:
        s = self.stream
        async with s.uows.reader() as uow:
            cursor = await uow.cursors.get(s.id, s.cursor)
            since = await uow.cursors.get(s.id, s.since)
            held = [hold for hold in await uow.holds.active(s.id) if hold.entity == s.record]
            bound = {b.external_id: b for b in await uow.bindings.all(s.id, s.record)}
        progress(f"reading {s.name}", 0, None)
        plan = Plan(self.entity)
        seen: set[str] = set()
        async for record in s.changed_since(cursor, since):
            key, version = s.key(record), s.version(record)
            seen.add(key)
            binding = bound.get(key)
            if binding is not None and binding.last_version == version:
                plan.items.append(PlanItem(key, Action.UNCHANGED, version, binding.last_version))
            else:
                action = Action.CREATE if binding is None else Action.UPDATE
                plan.items.append(PlanItem(key, action, version, binding and binding.last_version))
        for hold in held:
            if hold.external_id not in seen:
                plan.items.append(PlanItem(hold.external_id, Action.CREATE, reason=f"on hold: {hold.reason}"))
        return plan

    async def apply(self, items: list[PlanItem], progress: Progress) -> ApplyResult:
        s = self.stream
        result = ApplyResult()
        advance_to: str | None = None
        blocked = False
        # Oldest change first, so the cursor can follow the records that went through.
        for done, item in enumerate(sorted(items, key=lambda i: str(i.desired or ""))):
            try:
                outcome = await s.bring_in(item.key)
            except (ConnectorError, DomainError) as error:
                result.errors.append({"key": item.key, "error": f"{type(error).__name__}: {error}"})
                blocked = True  # never past a record that failed: the next poll reads it again
            else:
                if outcome not in UNWRITTEN:
                    result.writes += 1
                if not blocked and isinstance(item.desired, str):
                    advance_to = item.desired
            progress(f"bringing {s.name} in", done + 1, len(items))
        if advance_to is not None:
            async with s.uows() as uow:
                await uow.cursors.advance(s.id, s.cursor, advance_to)
                await uow.commit()
        return result
