"""bench/relay.py's latency mode: the sustainable commit rate, then latency at half of it.

For each setup (database × transport × where the commits come from) a hub runs its
:class:`hub.outbox.runtime.EventRuntime` with one subscriber on ``stock.level_changed``.
The commits are real hub changes: single-SKU stock counts through
``hub.core.handlers.post_stock_count`` (a count document, ledger moves, and two events,
``stock_count.posted`` and ``stock.level_changed``), each in its own unit of work.

1. **Sustainable rate.** A closed-loop probe commits as fast as ``concurrency``
   committers can for ``window`` seconds (and notes what reached the handler per second
   over the window's last two thirds meanwhile). Open-loop trials of ``window`` seconds
   then bisect between nothing and the probe's commit rate for the highest rate whose
   backlog (committed, not yet handled) does not grow between the window's middle and
   its end.
2. **Latency at half that rate**, open loop: commit *i* is started at ``start + i/rate``
   whether or not the ones before it have finished (so a slow pipeline cannot slow the
   arrivals and hide its queueing), and timed from its ``uow.commit()`` returning to the
   subscriber's handler being entered. The time from the scheduled start to the commit
   returning is reported beside it (``commit wait``).
3. **Stages**, from :mod:`hub.outbox.trace` timestamps taken in the relay, the
   dispatcher and the Kafka subscriber.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.bootstrap import build
from hub.config import Settings
from hub.core import handlers
from hub.core.commands import CountLine, NewProduct, NewStockCount, NewWarehouse
from hub.core.events import StockLevelChanged
from hub.db.uow import SqlUnitOfWork
from hub.outbox.trace import Stage

WAREHOUSE = "WH-LAT"
SKUS = [f"LAT-{i:04d}" for i in range(400)]
#: Most commits in flight at once in an open-loop run (beyond it, arrivals wait).
MAX_IN_FLIGHT = 256


# -- the commits ----------------------------------------------------------------------------------------


async def stock_catalogue(uow: Callable[[], SqlUnitOfWork]) -> None:
    """The warehouse and SKUs the counts are posted against (once per database)."""
    async with uow() as work:
        if await work.warehouses.get(WAREHOUSE) is not None:
            return
        await handlers.create_warehouse(NewWarehouse(code=WAREHOUSE, name="Latency bench"), work)
        for sku in SKUS:
            await handlers.create_product(NewProduct(sku=sku, name=f"Bench {sku}"), work)
        await work.commit()


@dataclass
class Commits:
    """What a producer committed: when each ``stock.level_changed`` became visible."""

    #: event_id → monotonic time just after its commit returned.
    at: dict[str, float] = field(default_factory=dict)
    #: Seconds from each commit's scheduled start to its commit returning (open loop).
    waits: list[float] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0

    def to_json(self) -> str:
        return json.dumps({"at": self.at, "waits": self.waits, "started": self.started, "ended": self.ended})

    @classmethod
    def from_json(cls, text: str) -> Commits:
        data = json.loads(text)
        return cls(data["at"], data["waits"], data["started"], data["ended"])


async def _count_one(uow: Callable[[], SqlUnitOfWork], sku: str, counted: int, commits: Commits) -> None:
    async with uow() as work:
        line = CountLine(sku=sku, counted=Decimal(counted))
        await handlers.post_stock_count(NewStockCount(warehouse=WAREHOUSE, lines=[line]), work)
        await work.commit()
        at = time.monotonic()
    for envelope in work.committed:
        if envelope.type == StockLevelChanged.type:
            commits.at[envelope.event_id] = at


async def closed_loop(uow: Callable[[], SqlUnitOfWork], seconds: float, concurrency: int, seed: int) -> Commits:
    """Commit as fast as ``concurrency`` committers can, for ``seconds``."""
    rng, commits, turn = random.Random(seed), Commits(), 0
    commits.started = time.monotonic()
    deadline = commits.started + seconds

    async def committer() -> None:
        nonlocal turn
        while time.monotonic() < deadline:
            turn += 1  # SKUs round robin: concurrent counts do not wait on each other's rows
            await _count_one(uow, SKUS[(seed + turn) % len(SKUS)], rng.randint(1, 10**6), commits)

    await asyncio.gather(*(committer() for _ in range(concurrency)))
    commits.ended = time.monotonic()
    return commits


async def open_loop(uow: Callable[[], SqlUnitOfWork], rate: float, count: int, seed: int) -> Commits:
    """Start commit *i* at ``start + i / rate``, each on its own, whatever the others do."""
    rng, commits = random.Random(seed), Commits()
    room = asyncio.Semaphore(MAX_IN_FLIGHT)
    commits.started = start = time.monotonic() + 0.01

    async def one(i: int, due: float) -> None:
        try:
            await _count_one(uow, SKUS[(seed + i) % len(SKUS)], rng.randint(1, 10**6), commits)
            commits.waits.append(time.monotonic() - due)
        finally:
            room.release()

    tasks = []
    for i in range(count):
        due = start + i / rate
        if (delay := due - time.monotonic()) > 0:
            await asyncio.sleep(delay)
        await room.acquire()
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    commits.ended = start + count / rate
    return commits


async def elsewhere(url: str, spec: dict[str, Any]) -> Commits:
    """The same, from another process (``relay.py --produce``): only the database connects them."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("relay.py")),
        "--produce",
        json.dumps({"url": url, **spec}),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    if child.returncode:
        raise RuntimeError(f"producer process exited with {child.returncode}")
    return Commits.from_json(out.decode())


async def produce_main(spec: dict[str, Any]) -> None:
    """The other process's side of :func:`elsewhere`."""
    hub = build(Settings(database_url=spec["url"], migrate_on_start=False, _env_file=None))  # type: ignore[call-arg]
    try:
        if spec["mode"] == "closed":
            commits = await closed_loop(hub.uow, spec["seconds"], spec["concurrency"], spec["seed"])
        else:
            commits = await open_loop(hub.uow, spec["rate"], spec["count"], spec["seed"])
    finally:
        await hub.close()
    print(commits.to_json())  # monotonic clock: the same clock in every process of this machine


# -- the clock ---------------------------------------------------------------------------------------------


class Clock:
    """The bench's :class:`hub.outbox.trace.Trace`, and the handler's entry times."""

    def __init__(self) -> None:
        self.entered: dict[str, float] = {}
        self.stages: dict[str, dict[str, float]] = defaultdict(dict)
        self.woken: dict[str, list[float]] = {"relay": [], "consumer": []}

    def __call__(self, stage: Stage, event_ids: Sequence[str], /) -> None:
        now = time.monotonic()
        if stage.endswith(".woken"):
            self.woken[stage.partition(".")[0]].append(now)
            return
        marks = self.stages[stage]
        for event_id in event_ids:
            marks.setdefault(event_id, now)

    def enter(self, event_id: str) -> None:
        self.entered.setdefault(event_id, time.monotonic())

    def reset(self) -> None:
        self.entered.clear()
        self.stages.clear()
        for times in self.woken.values():
            times.clear()

    async def handled(self, commits: Commits, timeout: float) -> bool:
        """Wait until every committed event reached the handler (True) or ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        while not commits.at.keys() <= self.entered.keys():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    def woke(self, who: str, event_id: str, committed: float, stage: str) -> float | None:
        """When ``who`` woke for this event: its last wake-up before it read the event,
        or the commit itself if it was awake (busy) then."""
        read = self.stages[stage].get(event_id)
        if read is None:
            return None
        times = self.woken[who]
        i = bisect.bisect_right(times, read)
        return max(committed, times[i - 1]) if i else committed


def backlog_growth(commits: Commits, entered: dict[str, float]) -> tuple[float, float]:
    """Unhandled events at the open-loop window's middle and at its end."""
    done = sorted(entered[e] for e in commits.at if e in entered)
    made = sorted(commits.at.values())
    middle = commits.started + (commits.ended - commits.started) / 2

    def lag(t: float) -> float:
        return bisect.bisect_right(made, t) - bisect.bisect_right(done, t)

    return lag(middle), lag(commits.ended)


# -- results ----------------------------------------------------------------------------------------------


@dataclass
class Trial:
    rate: float
    middle: float
    end: float
    kept: bool


@dataclass
class Sustained:
    probe_commits: float
    probe_handled: float
    trials: list[Trial] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """The highest rate kept (half the lowest tried, if none was)."""
        kept = [t.rate for t in self.trials if t.kept]
        return max(kept) if kept else min(t.rate for t in self.trials) / 2

    @property
    def bound(self) -> str:
        """What stops a higher rate: the committers themselves, or the pipeline behind them."""
        return "commits" if self.trials and self.trials[0].kept else "pipeline"


STAGES_KAFKA = ("commit→wake", "wake→read", "read→acked", "acked→fetched", "fetched→handler", "acked→marked")
STAGES_LOCAL = ("commit→wake", "wake→read", "read→handler", "relay read→marked")


@dataclass
class Latency:
    setup: str
    database: str
    transport: str
    producer: str
    wake: str
    rate: float = 0.0
    sustained: Sustained | None = None
    latencies: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    missing: int = 0
    load: float = 0.0
    #: CPU seconds of this process per committed change during the latency run.
    cpu: float = 0.0

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        """Milliseconds at percentile ``p`` of ``values`` (the latencies by default)."""
        values = self.latencies if values is None else values
        if len(values) < 2:
            return values[0] * 1000 if values else float("nan")
        return statistics.quantiles(values, n=1000, method="inclusive")[round(p * 10) - 1] * 1000


def stage_times(transport: str, commits: Commits, clock: Clock) -> dict[str, list[float]]:
    """Seconds each event spent in each stage (events with every timestamp only)."""
    stages: dict[str, list[float]] = defaultdict(list)
    s = clock.stages
    for event_id, committed in commits.at.items():
        handler = clock.entered.get(event_id)
        if handler is None:
            continue
        if transport == "kafka":
            woke = clock.woke("relay", event_id, committed, "relay.read")
            read, acked = s["relay.read"].get(event_id), s["relay.acked"].get(event_id)
            fetched, marked = s["consumer.fetched"].get(event_id), s["relay.marked"].get(event_id)
            if None in (woke, read, acked, fetched, marked):
                continue
            assert woke and read and acked and fetched and marked
            for name, span in zip(
                STAGES_KAFKA,
                (woke - committed, read - woke, acked - read, fetched - acked, handler - fetched, marked - acked),
                strict=True,
            ):
                stages[name].append(max(0.0, span))
        else:
            woke = clock.woke("consumer", event_id, committed, "consumer.fetched")
            fetched = s["consumer.fetched"].get(event_id)
            read, marked = s["relay.read"].get(event_id), s["relay.marked"].get(event_id)
            if None in (woke, fetched, read, marked):
                continue
            assert woke and fetched and read and marked
            for name, span in zip(
                STAGES_LOCAL, (woke - committed, fetched - woke, handler - fetched, marked - read), strict=True
            ):
                stages[name].append(max(0.0, span))
    return stages


def load() -> float:
    return os.getloadavg()[0]
