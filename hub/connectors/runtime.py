"""Running connector instances: one worker per active instance (one per database, by
leadership), supervised so instances added or removed while the hub runs come and go.

A worker, for its instance: runs every reconciliation once at start (a new instance's
first sync; after a restart, the catch-up), then works its queue — batches of keys per
kind of work, at the vendor's pace — and runs each scheduled reconciliation when due.

An instance whose vendor refused its grant (``needs_reauth``, see
:mod:`hub.connectors.sdk.oauth`) is parked: its worker stops and leaves the queue as it
is — no attempt counted, nothing dead-lettered — and the supervisor starts none until
new credentials make the instance ``active`` again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Any

from hub.connectors.reconcile import run_reconcilers
from hub.connectors.sdk.base import Connector, Work
from hub.connectors.sdk.errors import BudgetSpent, ReauthorizationRequired
from hub.connectors.service import ConnectorService
from hub.db.connectors import InstanceRow
from hub.db.types import utcnow
from hub.db.work_queue import Item, WorkQueue
from hub.outbox.leadership import Leadership
from hub.outbox.signal import wait

__all__ = ["ConnectorRuntime", "InstanceWorker"]

log = logging.getLogger("hub.connectors")


class InstanceWorker:
    def __init__(self, service: ConnectorService, queue: WorkQueue, row: InstanceRow, *, idle: float = 1.0) -> None:
        self.service, self.queue, self.row, self.idle = service, queue, row, idle
        self.stop = asyncio.Event()
        self._next: dict[str, float] = {}
        #: When a batch of each kind last went out (monotonic seconds), for the linger.
        self._sent: dict[str, float] = {}

    @property
    def db(self) -> Any:
        return self.service.db

    async def run(self) -> None:
        """Until :attr:`stop` is set (the supervisor sets it when the hub stops too)."""
        leadership = Leadership(self.db.url, f"connector.{self.row.id}", poll=self.idle)
        async with leadership.hold(self.stop) as lease:
            if lease is None:
                return
            try:
                async with self.service.live(self.row) as connector:
                    await self._serve(connector, self.stop, lease.lost)
            except Exception:
                if not await self._exists():
                    # Removed mid-work: its rows went with it (e.g. a run report's
                    # foreign key fails). Nothing to report, nothing to restart.
                    log.info("%s: removed while its worker was busy; worker stopped", self.row.id)
                    return
                # The supervisor starts a fresh worker on its next round.
                log.exception("%s: connector worker stopped on an error", self.row.id)
                raise

    async def _exists(self) -> bool:
        try:
            return any(row.id == self.row.id for row in await self.service.rows())
        except Exception:  # cannot tell: report the original error
            return True

    async def _serve(self, connector: Connector[Any, Any], halt: asyncio.Event, lost: asyncio.Event) -> None:
        for entity in connector.reconcilers():
            if halt.is_set():
                return
            await self._reconcile(connector, entity, "start")
        now = time.monotonic()
        self._next = {entity: now + every for entity, every in connector.schedule().items()}
        async with self.db.work_signal.listen() as wake:
            while not halt.is_set() and not lost.is_set():
                worked = False
                for kind, work in connector.work().items():
                    if halt.is_set():
                        break
                    worked = await self._drain(kind, work) or worked
                for entity, due in list(self._next.items()):
                    if time.monotonic() >= due and not halt.is_set():
                        await self._reconcile(connector, entity, "schedule")
                        self._next[entity] = time.monotonic() + connector.schedule()[entity]
                if not worked:
                    await wait(wake, await self._sleep())

    async def _sleep(self) -> float:
        """Until the next scheduled run or queued item falls due (at most ``idle``)."""
        seconds = self.idle
        if self._next:
            seconds = min(seconds, max(0.0, min(self._next.values()) - time.monotonic()))
        due: datetime | None = await self.queue.next_due(self.row.id)
        if due is not None:
            seconds = min(seconds, max(0.0, (due - utcnow()).total_seconds()))
        return max(seconds, 0.01)

    async def _drain(self, kind: str, work: Work) -> bool:
        items = await self.queue.due(self.row.id, kind, work.batch)
        if not items:
            return False
        if work.linger and len(items) < work.batch:
            # Adaptive linger: a change after a quiet spell, or while the vendor's budget has
            # room, goes out at once (latency); while a burst is on — a batch went out
            # less than a linger ago — and the budget is short, let the next changes
            # gather into one batch (one vendor call for many keys).
            since = time.monotonic() - self._sent.get(kind, float("-inf"))
            if since < work.linger and not (work.room is not None and work.room()):
                await asyncio.sleep(work.linger - since)
                items = await self.queue.due(self.row.id, kind, work.batch)
        self._sent[kind] = time.monotonic()
        by_key = {item.key: item for item in items}
        try:
            results = await work.handle(list(by_key))
        except ReauthorizationRequired as error:
            self._park(str(error))
            return False
        except BudgetSpent as error:
            # The instance, not the keys, must wait: park the batch until the budget is
            # back, without spending the items' attempts (a day quota would dead-letter them).
            log.warning("%s: %s batch of %d parked: %s", self.row.id, kind, len(items), error)
            await self.queue.defer(items, error.until, f"{type(error).__name__}: {error}")
            return True
        except Exception as error:  # a batch that fails as a whole fails each of its items
            log.warning("%s: %s batch of %d failed: %s", self.row.id, kind, len(items), error)
            results = dict.fromkeys(by_key, f"{type(error).__name__}: {error}")
        if any(problem is not None for problem in results.values()) and await self._needs_reauth():
            # The handler reported the refusal per key: still not the items' fault.
            self._park("the vendor refused the instance's grant")
            return False
        done: list[Item] = []
        for key, item in by_key.items():
            problem = results.get(key)
            if problem is None:
                done.append(item)
            elif await self.queue.fail(item, problem):
                log.error(
                    "%s: %s %s dead-lettered after %d attempts: %s", self.row.id, kind, key, item.attempts + 1, problem
                )
        await self.queue.complete(done)
        return True

    def _park(self, why: str) -> None:
        """Stop, leaving the queue untouched until new credentials are given."""
        log.error("%s: needs new credentials, its queued work waits: %s", self.row.id, why)
        self.stop.set()

    async def _needs_reauth(self) -> bool:
        try:
            row = await self.service.instance(self.row.id)
        except Exception:  # removed, or the database cannot say: fail the items as usual
            return False
        return row.status == "needs_reauth"

    async def _reconcile(self, connector: Connector[Any, Any], entity: str, trigger: str) -> None:
        [report] = await run_reconcilers(self.db, connector, entity, trigger=trigger)
        if report.status != "succeeded" and await self._needs_reauth():
            self._park(f"{entity} reconciliation {report.status}")
            return
        if report.status != "succeeded":
            log.warning("%s: %s reconciliation %s: %s", self.row.id, entity, report.status, report.errors[:3])


class ConnectorRuntime:
    """Keeps one worker running per active connector instance."""

    def __init__(self, service: ConnectorService, queue: WorkQueue, *, refresh: float = 5.0, idle: float = 1.0):
        self.service, self.queue, self.refresh, self.idle = service, queue, refresh, idle
        self.changed = asyncio.Event()
        self.workers: dict[str, tuple[InstanceWorker, asyncio.Task[None]]] = {}

    def poke(self) -> None:
        """Instances changed (called by the service after an add or remove)."""
        self.changed.set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    rows = {row.id: row for row in await self.service.rows() if row.status == "active"}
                except Exception as error:  # a database hiccup must not end the supervisor
                    log.warning("cannot list connector instances: %s", error)
                    rows = {id: worker.row for id, (worker, _task) in self.workers.items()}
                await self._align(rows)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(stop, self.changed), self.refresh)
                self.changed.clear()
        finally:
            await self._align({})

    async def _align(self, rows: dict[str, InstanceRow]) -> None:
        for id, (worker, task) in list(self.workers.items()):
            row = rows.get(id)
            if row is None or row.updated_at != worker.row.updated_at or task.done():
                worker.stop.set()
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(task, 30)
                del self.workers[id]
        for id, row in rows.items():
            if id not in self.workers:
                worker = InstanceWorker(self.service, self.queue, row, idle=self.idle)
                self.workers[id] = (worker, asyncio.create_task(worker.run(), name=f"connector-{id}"))


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
