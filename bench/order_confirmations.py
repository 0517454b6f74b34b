"""Sales-order confirmations per second, next to the same database's bare INSERT rate.

The headline is the ratio *orders/s ÷ bare inserts/s* at the same concurrency. The
bare rate — one single-row INSERT and COMMIT per transaction on the hub's own engine
settings — is roughly the most any write path can reach on that database and
machine, so the ratio says what the service layer costs on top (validation, row
locks on stock levels, the reservation, alerts, outbox rows, the ORM), and it moves
far less between laptops and servers than the raw rates do.

Each confirmation is ``hub.core.handlers.create_sales_order`` in a write unit of
work, committed: 1–3 lines over a few hundred SKUs, against stock received
beforehand, so orders contend on shared stock levels as real ones do. A second row
posts the same orders through the HTTP API in-process (``httpx.ASGITransport``).

    .venv/bin/python bench/order_confirmations.py [--seconds 5] [--postgres-url URL]

PostgreSQL: a scratch database is created on the server at ``--postgres-url`` and
dropped afterwards; when the server is unreachable the PostgreSQL rows are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy
from _runs import arguments, on_both_databases
from rich.console import Console
from rich.table import Table
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, event, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from hub.api.app import create_app
from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.core import handlers
from hub.core.commands import (
    NewCustomer,
    NewProduct,
    NewPurchaseOrder,
    NewReceipt,
    NewSalesOrder,
    NewSupplier,
    NewWarehouse,
    PurchaseLine,
    ReceiptLineIn,
    SalesLine,
)
from hub.db.engine import Database
from hub.db.migrate import upgrade_async
from hub.db.types import UTCDateTime

__all__ = ["Rate", "main"]

CLIENTS = (1, 8)
WAREHOUSE, CUSTOMER, SUPPLIER = "BENCH-WH", "BENCH-CUST", "BENCH-SUP"
#: Seconds of unmeasured load before each workload's first slice (statement caches, pools).
WARMUP = 1.0
#: Far more than any run sells: stock never runs out, so every order confirms.
STOCK = Decimal(10_000_000)

Op = Callable[[random.Random], Awaitable[None]]
#: Piped output (a log, a README example) gets room for every column.
console = Console() if sys.stdout.isatty() else Console(width=110)


# -- measuring ------------------------------------------------------------------------------------------


@dataclass
class Rate:
    """Completed transactions over a measured interval, with their latencies."""

    done: int = 0
    seconds: float = 0.0
    #: CPU time of this process (every thread) over the measured interval.
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Milliseconds of this process's CPU per completed transaction."""
        return self.cpu / self.done * 1000 if self.done else 0.0

    def percentile(self, p: int) -> float:
        """Latency in milliseconds at percentile ``p``."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000


async def measure(op: Op, clients: int, seconds: float, rate: Rate, *, warmup: float = 0.0) -> Rate:
    """Run ``op`` in ``clients`` concurrent loops for ``seconds``, adding what completes to ``rate``."""
    if warmup:
        await _loop(op, clients, warmup, Rate())
    started, cpu = time.perf_counter(), time.process_time()
    await _loop(op, clients, seconds, rate)
    rate.seconds += time.perf_counter() - started
    rate.cpu += time.process_time() - cpu
    return rate


async def _loop(op: Op, clients: int, seconds: float, rate: Rate) -> None:
    deadline = time.perf_counter() + seconds

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        while (start := time.perf_counter()) < deadline:
            try:
                await op(rng)
            except Exception as error:  # a benchmark reports failures instead of stopping at the first
                rate.errors.append(f"{type(error).__name__}: {error}"[:300])
                continue
            rate.latencies.append(time.perf_counter() - start)
            rate.done += 1

    await asyncio.gather(*(client(seed) for seed in range(clients)))


# -- the workloads -----------------------------------------------------------------------------------------


def _skus(count: int) -> list[str]:
    return [f"BENCH-{i:04d}" for i in range(count)]


async def prepare(hub: Hub, skus: list[str]) -> None:
    """Master data, and ample stock of every SKU received through a purchase order."""
    async with hub.uow() as uow:
        await handlers.create_warehouse(NewWarehouse(code=WAREHOUSE, name="Bench warehouse"), uow)
        await handlers.create_customer(NewCustomer(code=CUSTOMER, name="Bench customer"), uow)
        await handlers.create_supplier(NewSupplier(code=SUPPLIER, name="Bench supplier"), uow)
        for sku in skus:
            # A reorder band, as a real catalogue has: every order then re-judges its alerts.
            product = NewProduct(sku=sku, name=f"Product {sku}", reorder_point=Decimal(10), reorder_max=STOCK * 2)
            await handlers.create_product(product, uow)
        await uow.commit()
    lines = [PurchaseLine(sku=sku, qty=STOCK, unit_cost=Decimal("2.50")) for sku in skus]
    async with hub.uow() as uow:
        order = await handlers.create_purchase_order(
            NewPurchaseOrder(supplier=SUPPLIER, warehouse=WAREHOUSE, lines=lines), uow
        )
        assert order.id is not None
        await handlers.approve_purchase_order(order.id, uow)
        receipt = NewReceipt(lines=[ReceiptLineIn(sku=sku, accepted=STOCK) for sku in skus])
        await handlers.receive_purchase_order(order.id, receipt, uow)
        await uow.commit()


def _order(rng: random.Random, skus: list[str]) -> NewSalesOrder:
    lines = [
        SalesLine(sku=sku, qty=Decimal(rng.randint(1, 3)), unit_price=Decimal("9.90"))
        for sku in rng.sample(skus, rng.randint(1, 3))
    ]
    return NewSalesOrder(customer=CUSTOMER, warehouse=WAREHOUSE, lines=lines)


def confirm_orders(hub: Hub, skus: list[str]) -> Op:
    """One confirmation per call, through the service layer exactly as the API runs it."""

    async def op(rng: random.Random) -> None:
        cmd = _order(rng, skus)
        async with hub.uow() as uow:
            await handlers.create_sales_order(cmd, uow, currency="USD")
            await uow.commit()

    return op


def post_orders(http: httpx.AsyncClient, skus: list[str]) -> Op:
    """The same confirmation through POST /v1/sales-orders (auth, JSON, response view)."""

    async def op(rng: random.Random) -> None:
        response = await http.post("/v1/sales-orders", content=_order(rng, skus).model_dump_json())
        if response.status_code != 201:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

    return op


async def statements_of_one_order(hub: Hub, skus: list[str]) -> list[str]:
    """The SQL one confirmation of three lines sends (the commit is not a cursor statement)."""
    sent: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    lines = [SalesLine(sku=sku, qty=Decimal(1), unit_price=Decimal("9.90")) for sku in skus[:3]]
    engine = hub.db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        async with hub.uow() as uow:
            await handlers.create_sales_order(NewSalesOrder(customer=CUSTOMER, warehouse=WAREHOUSE, lines=lines), uow)
            await uow.commit()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return sent


_bare = MetaData()
bench_rows = sqlalchemy.Table(
    "bench_bare_insert",
    _bare,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("qty", String(40), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)


def bare_inserts(db: Database) -> Op:
    """One single-row INSERT + COMMIT per transaction, on the hub's own write engine.

    On SQLite this takes the same in-process writer lock and ``BEGIN IMMEDIATE`` as a
    write unit of work, so the two rates differ by the service layer's work alone.
    """

    async def insert_one(rng: random.Random) -> None:
        async with db.write_engine.begin() as conn:
            row = {"sku": f"BENCH-{rng.randrange(10_000):04d}", "qty": "1", "created_at": datetime.now(UTC)}
            await conn.execute(insert(bench_rows).values(**row))

    async def op(rng: random.Random) -> None:
        if db.write_lock is None:
            await insert_one(rng)
            return
        async with db.write_lock:
            await insert_one(rng)

    return op


# -- one database ------------------------------------------------------------------------------------------


@dataclass
class Row:
    database: str
    clients: int
    bare: Rate
    service: Rate
    http: Rate | None


async def bench_database(
    name: str, url: str, *, seconds: float, rounds: int, sku_count: int, with_http: bool
) -> list[Row]:
    await upgrade_async(url)
    hub = build(Settings(database_url=url, migrate_on_start=False, _env_file=None))  # type: ignore[call-arg]
    try:
        skus = _skus(sku_count)
        await prepare(hub, skus)
        async with hub.db.write_engine.begin() as conn:
            await conn.run_sync(_bare.create_all)
        sent = await statements_of_one_order(hub, skus)
        console.print(f"[bold]{name}: {len(sent)} SQL statements for one order of 3 lines[/]")
        for i, statement in enumerate(sent, 1):
            console.print(f"  {i:2}. {statement[:150]}", highlight=False, markup=False)
        _record, key = await hub.keys.create({"write"}, name="bench")
        transport = httpx.ASGITransport(app=create_app(hub_=hub))
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        rows = []
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as http:
            workloads = {"bare": bare_inserts(hub.db), "service": confirm_orders(hub, skus)}
            if with_http:
                workloads["http"] = post_orders(http, skus)
            for clients in CLIENTS:
                console.print(f"  {name}, {clients} client(s) …", style="dim")
                rates = {workload: Rate() for workload in workloads}
                # Interleaved slices: a burst of load from elsewhere on the machine hits
                # every workload alike instead of skewing one of them.
                for slice_ in range(rounds):
                    for workload, op in workloads.items():
                        await measure(
                            op, clients, seconds / rounds, rates[workload], warmup=WARMUP if slice_ == 0 else 0.0
                        )
                rows.append(Row(name, clients, rates["bare"], rates["service"], rates.get("http")))
        return rows
    finally:
        await hub.close()


async def _postgres_settings(url: str) -> str:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(text("SHOW server_version"))
            sync = await conn.scalar(text("SHOW synchronous_commit"))
            fsync = await conn.scalar(text("SHOW fsync"))
        return f"PostgreSQL {version} (synchronous_commit={sync}, fsync={fsync})"
    finally:
        await engine.dispose()


# -- report --------------------------------------------------------------------------------------------------


def _cells(rate: Rate, bare: Rate | None) -> list[str]:
    ratio = f"{rate.per_second / bare.per_second:.3f}" if bare and bare.per_second else ""
    failed = f" ({len(rate.errors)} failed)" if rate.errors else ""
    return [
        f"{rate.per_second:,.0f}{failed}",
        f"{rate.percentile(50):.1f}",
        f"{rate.percentile(95):.1f}",
        f"{rate.cpu_ms:.2f}",
        ratio,
    ]


def report(rows: list[Row], args: argparse.Namespace) -> None:
    table = Table("database", "clients", "transaction", "per s", "p50 ms", "p95 ms", "CPU ms", "÷ bare")
    table.title = f"{args.seconds:g} s per row in {args.rounds} slices; {args.skus} SKUs; orders of 1–3 lines"
    for row in rows:
        table.add_row(row.database, str(row.clients), "bare insert", *_cells(row.bare, None))
        table.add_row("", "", "order (core)", *_cells(row.service, row.bare), style="bold")
        if row.http is not None:
            table.add_row("", "", "order (HTTP)", *_cells(row.http, row.bare))
        table.add_section()
    console.print(table)
    console.print(
        "÷ bare: order confirmations per second divided by single-row INSERT + COMMIT transactions per second, "
        "same database, same number of clients. CPU ms: this process's CPU time per transaction "
        "(every thread: the event loop and SQLite's), the database server's not included."
    )
    for row in rows:
        for label, rate in (("bare insert", row.bare), ("order (core)", row.service), ("order (HTTP)", row.http)):
            if rate is not None and rate.errors:
                console.print(
                    f"[red]{row.database}, {row.clients} clients, {label}[/]: first failure: {rate.errors[0]}"
                )


async def main(args: argparse.Namespace) -> None:
    run = functools.partial(
        bench_database, seconds=args.seconds, rounds=args.rounds, sku_count=args.skus, with_http=not args.no_http
    )
    report(await on_both_databases(run, args.postgres_url, console, _postgres_settings), args)


def _arguments() -> argparse.Namespace:
    return arguments(
        "Sales-order confirmations per second vs bare INSERTs per second.",
        lambda parser: parser.add_argument("--no-http", action="store_true", help="skip the HTTP API rows"),
    )


if __name__ == "__main__":
    asyncio.run(main(_arguments()))
