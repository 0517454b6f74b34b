"""Invoices issued per second, next to the same database's bare INSERT rate.

The method is ``order_confirmations.py``'s (read its docstring and bench/README.md):
the headline is *invoices/s ÷ bare inserts/s* at the same concurrency, on the hub's
own engine settings, measured in interleaved slices with 1 and 8 clients, on SQLite
and on a scratch PostgreSQL database.

Each invoice is ``hub.core.handlers.issue_invoice`` in a write unit of work,
committed, for one sales order shipped beforehand (1–3 lines over a few hundred SKUs,
a third of which carry a VAT code): lock the order, read the customer, products and
tax rates, take the next ``INV`` number, write the invoice and its lines, mark the
order lines invoiced, post the journal entry and write the ``invoice.issued`` event.
The shipped orders are prepared between slices, never while a slice is measured.

It also counts the SQL statements one invoice sends (a ``before_cursor_execute``
listener on the write engine, from the unit of work's start to its commit) and
prints them.

    .venv/bin/python bench/invoices.py [--seconds 5] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from _runs import arguments, on_both_databases
from order_confirmations import (
    CLIENTS,
    CUSTOMER,
    WARMUP,
    Op,
    Rate,
    _bare,
    _cells,
    _postgres_settings,
    bare_inserts,
    measure,
    prepare,
)
from rich.console import Console
from rich.table import Table
from sqlalchemy import event

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.core import handlers
from hub.core.commands import NewSalesOrder, NewShipment, NewTaxRate, ProductChanges, SalesLine, ShipLine
from hub.core.receivable_commands import NewInvoice
from hub.db.migrate import upgrade_async
from hub.db.uow import SqlUnitOfWork

__all__ = ["main"]

WAREHOUSE = "BENCH-WH"
TAX_CODE = "VAT13"
#: Shipped orders prepared per unit of work when the pool is topped up.
BATCH = 50
#: Orders in the pool before a slice: this many seconds of the last measured rate, at least.
HEADROOM = 2.0

console = Console()


# -- the shipped orders to invoice ---------------------------------------------------------------------


async def tax_some(hub: Hub, skus: list[str]) -> None:
    """A VAT code on every third SKU, so some invoice lines are taxed and some are not."""
    async with hub.uow() as uow:
        await handlers.create_tax_rate(NewTaxRate(code=TAX_CODE, name="VAT 13%", rate=Decimal("0.13")), uow)
        for sku in skus[::3]:
            await handlers.update_product(sku, ProductChanges(tax_code=TAX_CODE), uow)
        await uow.commit()


class ShippedOrders:
    """Sales orders shipped in full and not yet invoiced, handed out one per invoice."""

    def __init__(self, hub: Hub, skus: list[str]) -> None:
        self.hub, self.skus = hub, skus
        self.ready: deque[int] = deque()
        self.rng = random.Random(7)

    async def top_up(self, wanted: int) -> None:
        while len(self.ready) < wanted:
            async with self.hub.uow() as uow:
                shipped = []
                for _ in range(BATCH):
                    picked = self.rng.sample(self.skus, self.rng.randint(1, 3))
                    shipped.append(await self.ship(uow, [(sku, self.rng.randint(1, 3)) for sku in picked]))
                await uow.commit()
            self.ready.extend(shipped)

    async def ship(self, uow: SqlUnitOfWork, lines: list[tuple[str, int]]) -> int:
        """Confirm an order of ``(sku, qty)`` lines and ship all of it; its id."""
        ordered = [SalesLine(sku=sku, qty=Decimal(qty), unit_price=Decimal("9.90")) for sku, qty in lines]
        order = await handlers.create_sales_order(
            NewSalesOrder(customer=CUSTOMER, warehouse=WAREHOUSE, lines=ordered), uow, currency="USD"
        )
        assert order.id is not None
        await handlers.ship_sales_order(
            order.id, NewShipment(lines=[ShipLine(sku=s, qty=Decimal(q)) for s, q in lines]), uow
        )
        return order.id

    def take(self) -> int:
        if not self.ready:
            raise RuntimeError("no shipped order left to invoice (the pool ran dry)")
        return self.ready.popleft()


def issue_invoices(hub: Hub, orders: ShippedOrders) -> Op:
    """One invoice per call, through the service layer exactly as POST /v1/invoices runs it."""

    async def op(_rng: random.Random) -> None:
        cmd = NewInvoice(sales_order=orders.take())
        async with hub.uow() as uow:
            await handlers.issue_invoice(cmd, uow)
            await uow.commit()

    return op


async def calibrate(hub: Hub, orders: ShippedOrders, count: int = 20) -> float:
    """Invoices per second, one at a time: how many orders the first slices need."""
    await orders.top_up(count)
    op = issue_invoices(hub, orders)
    started = time.perf_counter()
    for _ in range(count):
        await op(random.Random(0))
    return count / (time.perf_counter() - started)


async def statements_of_one_invoice(hub: Hub, orders: ShippedOrders) -> list[str]:
    """The SQL that invoicing one order of two lines, one taxed, sends (the commit is not a statement)."""
    async with hub.uow() as uow:
        order_id = await orders.ship(uow, [(orders.skus[0], 1), (orders.skus[1], 2)])  # skus[0] is taxed
        await uow.commit()
    sent: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    engine = hub.db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        async with hub.uow() as uow:
            await handlers.issue_invoice(NewInvoice(sales_order=order_id), uow)
            await uow.commit()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return sent


# -- one database --------------------------------------------------------------------------------------------


@dataclass
class Row:
    database: str
    clients: int
    bare: Rate
    invoices: Rate


async def bench_database(name: str, url: str, *, seconds: float, rounds: int, sku_count: int) -> list[Row]:
    await upgrade_async(url)
    hub = build(Settings(database_url=url, migrate_on_start=False, _env_file=None))  # type: ignore[call-arg]
    try:
        skus = [f"BENCH-{i:04d}" for i in range(sku_count)]
        await prepare(hub, skus)
        await tax_some(hub, skus)
        async with hub.db.write_engine.begin() as conn:
            await conn.run_sync(_bare.create_all)
        orders = ShippedOrders(hub, skus)
        sent = await statements_of_one_invoice(hub, orders)
        console.print(f"[bold]{name}: {len(sent)} SQL statements for one invoice of 2 lines, one taxed[/]")
        for i, statement in enumerate(sent, 1):
            console.print(f"  {i:2}. {statement[:150]}", highlight=False, markup=False)
        alone = await calibrate(hub, orders)
        workloads = {"bare": bare_inserts(hub.db), "invoices": issue_invoices(hub, orders)}
        rows = []
        for clients in CLIENTS:
            console.print(f"  {name}, {clients} client(s) …", style="dim")
            rates = {workload: Rate() for workload in workloads}
            for slice_ in range(rounds):
                for workload, op in workloads.items():
                    warmup = WARMUP if slice_ == 0 else 0.0
                    if workload == "invoices":
                        # Enough orders for this slice at the best rate seen so far, made before it starts.
                        known = rates["invoices"].per_second or alone * min(clients, 4)
                        await orders.top_up(max(BATCH, int(known * (seconds / rounds + warmup) * HEADROOM)))
                    await measure(op, clients, seconds / rounds, rates[workload], warmup=warmup)
            rows.append(Row(name, clients, rates["bare"], rates["invoices"]))
        return rows
    finally:
        await hub.close()


# -- report --------------------------------------------------------------------------------------------------


def report(rows: list[Row], args: argparse.Namespace) -> None:
    table = Table("database", "clients", "transaction", "per s", "p50 ms", "p95 ms", "÷ bare")
    table.title = (
        f"{args.seconds:g} s per row in {args.rounds} slices; {args.skus} SKUs (⅓ taxed); "
        "one shipped order of 1–3 lines per invoice"
    )
    for row in rows:
        table.add_row(row.database, str(row.clients), "bare insert", *_cells(row.bare, None))
        table.add_row("", "", "invoice (core)", *_cells(row.invoices, row.bare), style="bold")
        table.add_section()
    console.print(table)
    console.print(
        "÷ bare: invoices issued per second divided by single-row INSERT + COMMIT transactions per second, "
        "same database, same number of clients."
    )
    for row in rows:
        for label, rate in (("bare insert", row.bare), ("invoice (core)", row.invoices)):
            if rate.errors:
                console.print(
                    f"[red]{row.database}, {row.clients} clients, {label}[/]: first failure: {rate.errors[0]}"
                )


async def main(args: argparse.Namespace) -> None:
    run = functools.partial(bench_database, seconds=args.seconds, rounds=args.rounds, sku_count=args.skus)
    report(await on_both_databases(run, args.postgres_url, console, _postgres_settings), args)


if __name__ == "__main__":
    asyncio.run(main(arguments("Invoices issued per second vs bare INSERTs per second.")))
