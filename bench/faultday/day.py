"""Playing one day: set up, run the steps while faults land, converge, reconcile, check.

    run_day(plan, database_url, workdir) → DayResult

The store is the Shopify simulator in this process (on a real port: its webhooks post
to the hub's ``/v1/webhooks/shopify``); the hub is three processes (``serve``, ``relay``,
``worker``); on Kafka a Tansu broker of the run's own. Waiting is always for a
condition, with a timeout; the only sleeps are the plan's own schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.faultday.business import CONNECTOR, SECRET, TOKEN, Business, wait_for
from bench.faultday.business import simulator_ok as _ok
from bench.faultday.checks import Check, check_all
from bench.faultday.client import HubClient
from bench.faultday.plan import LOCATIONS, SKUS, DayPlan, Fault, Step
from bench.faultday.stack import Processes, hub_env, terminate_backends
from hub.simulators.shopify import ShopifySimulator, serve
from hub.outbox.tansu import TansuBroker

__all__ = ["CONNECTOR", "DayResult", "run_day"]

#: Seconds a running ``hub serve`` may leave /healthz unanswered before it counts as hung.
HUNG = 45.0


@dataclass
class DayResult:
    plan: DayPlan
    #: Faults the harness injected itself, by kind (process kills, cuts, broker freezes).
    injected: Counter[str] = field(default_factory=Counter)
    #: The store's own faults (429, 5xx, slow, timeout, drop, duplicate) as it counted them.
    store_faults: dict[str, int] = field(default_factory=dict)
    steps: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    figures: dict[str, Any] = field(default_factory=dict)
    converge_seconds: float | None = None
    checks: list[Check] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.checks) and all(check.ok for check in self.checks)


async def run_day(plan: DayPlan, database_url: str, workdir: Path, *, converge_timeout: float = 180.0) -> DayResult:
    result = DayResult(plan)
    broker = TansuBroker(log=workdir / "tansu.log") if plan.transport == "kafka" else None
    if broker is not None:
        broker.start()
    processes = Processes(hub_env(database_url, plan.transport, broker.bootstrap if broker else None, workdir), workdir)
    sim = ShopifySimulator(access_token=TOKEN, webhook_secret=SECRET, webhook_retry_delays=(0.1, 0.5, 1.0))
    sim.store.seed(
        {
            "locations": list(LOCATIONS),
            "products": [
                {"title": sku, "variants": [{"sku": sku, "price": "10.00", "inventory": dict.fromkeys(LOCATIONS, 0)}]}
                for sku in SKUS
            ],
        }
    )
    hub: HubClient | None = None
    try:
        processes.run("migrate")
        key = processes.run("keys", "create", "--scope", "admin", "--name", "fault-harness").strip()
        async with serve(sim) as shop_url, httpx.AsyncClient(base_url=shop_url, timeout=30) as shop:
            sim.configure(webhook_url=f"{processes.base_url}/v1/webhooks/{CONNECTOR}")
            for name in ("api", "relay", "worker"):
                processes.start(name)
            await processes.api_up()
            hub = HubClient(processes.base_url, key)
            day = Day(plan, result, processes, hub, shop, broker, database_url)
            await day.business.set_up(shop_url)
            await _ok(shop.patch("/_simulator/config", json={"faults": plan.store_faults}))
            await day.play()
            await _ok(shop.patch("/_simulator/config", json={"faults": {}}))
            result.store_faults = {
                k: int(v) for k, v in (await _ok(shop.get("/_simulator/faults")))["injected"].items()
            }
            started = time.monotonic()
            await day.everything_running()
            try:
                await day.converge(converge_timeout)
                await hub.json("POST", f"/v1/connectors/{CONNECTOR}/reconcile", key=f"day-{plan.seed}-final-reconcile")
                await day.converge(converge_timeout)
                result.converge_seconds = time.monotonic() - started
            except TimeoutError as error:  # judge what there is all the same
                result.error = f"did not converge: {error}"
                from bench.faultday.diagnose import diagnose

                state = await diagnose(day)  # where the missing events are, who is stuck
                (workdir / "diagnosis.txt").write_text(state + "\n")
                result.figures["diagnosis"] = state
            result.checks = await check_all(day)
            result.figures.update(await day.figures())
    except Exception as error:  # a run that breaks is reported, with where it broke
        result.error = f"{type(error).__name__}: {error}"
    finally:
        if hub is not None:
            result.figures["api_retries"] = hub.retries
            result.figures["idempotent_replays"] = hub.replayed
            await hub.aclose()
        if broker is not None:
            broker.resume()  # a frozen broker would hold every process's shutdown up
        processes.close()
        if broker is not None:
            broker.kill()
    return result


class Day:
    """The run's moving parts, and what the steps and faults do with them."""

    def __init__(
        self,
        plan: DayPlan,
        result: DayResult,
        processes: Processes,
        hub: HubClient,
        shop: httpx.AsyncClient,
        broker: TansuBroker | None,
        database_url: str,
    ) -> None:
        self.plan, self.result, self.processes, self.hub, self.shop = plan, result, processes, hub, shop
        self.broker, self.database_url = broker, database_url
        self._restarts: list[asyncio.Task[None]] = []
        self.business = Business(plan.seed, hub, shop)
        #: Processes the harness killed and has yet to start again.
        self.down: set[str] = set()

    async def play(self) -> None:
        start = time.monotonic()

        async def steps() -> None:
            for i, step in enumerate(self.plan.steps):
                await _until(start + step.at)
                await self.step(i, step)

        async def faults() -> None:
            for fault in self.plan.faults:
                await _until(start + fault.at)
                await self.fault(fault)

        supervisor = asyncio.create_task(self.supervise())
        try:
            await asyncio.gather(steps(), faults())
            await _until(start + self.plan.seconds)
        finally:
            supervisor.cancel()

    async def step(self, i: int, step: Step) -> None:
        done = await getattr(self.business, step.kind)(f"{self.plan.seed}-{i}", **step.params)
        (self.result.steps if done else self.result.refused)[step.kind] += 1

    # -- faults ------------------------------------------------------------------------------------

    async def fault(self, fault: Fault) -> None:
        kind = fault.kind
        if kind.startswith("kill_"):
            name = kind.removeprefix("kill_")
            if not self.processes.alive(name):
                return  # still down from an earlier kill
            self.down.add(name)
            self.processes.kill(name)
            self.result.injected[kind] += 1
            self._restarts.append(asyncio.create_task(self._restart(name, fault.params["restart_after"])))
        elif kind == "pg_terminate":
            cut, mid_transaction = await terminate_backends(self.database_url)
            self.result.injected["pg_terminate"] += 1
            self.result.injected["pg_backends_terminated"] += cut
            self.result.injected["pg_backends_terminated_mid_transaction"] += mid_transaction
        elif kind == "broker_pause" and self.broker is not None:
            self.broker.pause()
            self.result.injected["broker_pause"] += 1
            self.result.figures["broker_paused_seconds"] = fault.params["seconds"]
            self._restarts.append(asyncio.create_task(self._resume_broker(fault.params["seconds"])))

    async def _restart(self, name: str, after: float) -> None:
        await asyncio.sleep(after)  # the plan's own "down for this long"
        try:
            self.processes.start(name)
        except OSError as error:  # could not even start it: the supervisor tries again
            self.result.figures.setdefault("restart_errors", []).append(f"{name}: {error!r}")
        finally:
            self.down.discard(name)

    async def supervise(self) -> None:
        """Start again any process that died without being killed by the harness, or a
        ``hub serve`` alive but not answering for ``HUNG`` seconds, and say so in the report
        with the end of its log: those are findings, not faults."""
        unanswered_since: float | None = None
        async with httpx.AsyncClient(base_url=self.processes.base_url, timeout=2) as http:
            while True:
                await asyncio.sleep(0.5)
                self._restart_the_dead()
                if "api" in self.down:
                    unanswered_since = None
                    continue
                try:
                    answered = (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    answered = False
                if answered:
                    unanswered_since = None
                elif unanswered_since is None:
                    unanswered_since = time.monotonic()
                elif time.monotonic() - unanswered_since > HUNG:
                    # Alive but silent this long: hung. Say so, with its log, and start it again.
                    tail = (self.processes.where / "api.log").read_text(errors="replace").splitlines()[-3:]
                    self.result.figures.setdefault("hung", []).append(f"api (no answer for {HUNG:.0f} s): {tail}")
                    self.processes.kill("api")
                    self.processes.start("api")
                    unanswered_since = None

    def _restart_the_dead(self) -> None:
        for name in ("api", "relay", "worker"):
            if name in self.down or self.processes.alive(name):
                continue
            process = self.processes.running.pop(name, None)
            code = process.returncode if process is not None else None
            tail = (self.processes.where / f"{name}.log").read_text(errors="replace").splitlines()[-3:]
            self.result.figures.setdefault("crashed_by_themselves", []).append(f"{name} (exit {code}): {tail}")
            with contextlib.suppress(OSError):
                self.processes.start(name)

    async def _resume_broker(self, after: float) -> None:
        await asyncio.sleep(after)
        assert self.broker is not None
        self.broker.resume()

    async def everything_running(self) -> None:
        """The day is over: every process restarted, the broker back."""
        await asyncio.gather(*self._restarts)
        for name in ("api", "relay", "worker"):
            if not self.processes.alive(name):  # died by itself: that is a finding
                tail = (self.processes.where / f"{name}.log").read_text(errors="replace").splitlines()[-3:]
                self.result.figures.setdefault("crashed_by_themselves", []).append(f"{name}: {tail}")
                self.processes.running.pop(name, None)
                self.processes.start(name)
        await self.processes.api_up()

    # -- after the day -------------------------------------------------------------------------------

    async def converge(self, timeout: float) -> None:
        """Wait until the store has sent every webhook and the hub has nothing left to do:
        no unpublished outbox row, every subscriber caught up, the connector's queue empty,
        every live store order in the hub."""
        from bench.faultday.checks import quiet

        await _ok(self.shop.post("/_simulator/webhooks/drain"))
        await wait_for(lambda: quiet(self), "the hub to go quiet", timeout)

    async def figures(self) -> dict[str, Any]:
        deliveries = await _ok(self.shop.get("/_simulator/webhooks"))
        statuses = [a["status"] for d in deliveries for a in d["attempts"]]
        accepted = sum(1 for status in statuses if status and 200 <= status < 300)
        metrics = (await self.hub.call("GET", "/metrics")).text
        duplicates = re.findall(r'hub_events_consumed_total\{[^}]*outcome="duplicate"[^}]*\} ([0-9.e+]+)', metrics)
        return {
            "inbox_duplicates_serve": int(sum(float(n) for n in duplicates)),
            "webhooks": len(deliveries),
            "webhooks_dropped": sum(1 for d in deliveries if d["dropped"]),
            "webhook_posts": len(statuses),
            "webhook_posts_accepted": accepted,
            # Every POST the hub did not accept is retried by the store (or given up on).
            "webhook_retries": len(statuses) - accepted,
            "process_starts": dict(self.processes.starts),
        }


async def _until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
