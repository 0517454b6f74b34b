"""``hub demo``: the sample business a newcomer sees, loaded once however often it runs."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from hub.bootstrap import Hub, build
from hub.cli import app
from hub.config import Settings
from hub.core import handlers
from hub.core.commands import NewWarehouse
from hub.db import tables as t
from hub.demo import DemoError, run_demo

KEY = re.compile(r"jxc_[A-Za-z0-9_-]{20,}")
#: Tables the demo must not touch on a second run (it only adds an API key).
BOOKS = [table for table in t.metadata.sorted_tables if table not in (t.api_keys, t.idempotency_keys)]


async def _rows(hub: Hub, table: Any, *columns: Any) -> list[Any]:
    async with hub.uow.reader() as uow:
        return list((await uow.session.execute(select(*(columns or table.c)).select_from(table))).all())


async def _counts(hub: Hub) -> dict[str, int]:
    async with hub.uow.reader() as uow:
        return {
            table.name: int(await uow.session.scalar(select(func.count()).select_from(table)) or 0) for table in BOOKS
        }


async def test_the_demo_business_shows_every_kind_of_document(hub: Hub) -> None:
    report = await run_demo(hub)

    assert report.loaded and KEY.fullmatch(report.key)
    principal = await hub.keys.authenticate(report.key)
    assert principal is not None and principal.scopes == {"admin"}

    purchase_orders = Counter(status for (status,) in await _rows(hub, t.purchase_orders, t.purchase_orders.c.status))
    assert purchase_orders["received"] >= 2 and purchase_orders["partially_received"] >= 1
    assert any(rejected > 0 for (rejected,) in await _rows(hub, t.receipt_lines, t.receipt_lines.c.rejected))

    sales = {row.id: row for row in await _rows(hub, t.sales_orders)}
    statuses = Counter(order.status for order in sales.values())
    assert statuses["shipped"] >= 1 and statuses["partially_shipped"] >= 1
    assert statuses["cancelled"] >= 1 and statuses["on_hold"] >= 1
    held = next(order for order in sales.values() if order.status == "on_hold")
    assert "credit limit" in held.hold_reason
    partial = {o.id for o in sales.values() if o.status == "partially_shipped"}
    assert any(s.order_id in partial and s.carrier and s.tracking for s in await _rows(hub, t.shipments))

    assert {restock for (restock,) in await _rows(hub, t.return_lines, t.return_lines.c.restock)} == {True, False}
    transfers = Counter(status for (status,) in await _rows(hub, t.transfers, t.transfers.c.status))
    assert transfers["received"] >= 1 and transfers["in_transit"] >= 1
    assert any(v != 0 for (v,) in await _rows(hub, t.stock_count_lines, t.stock_count_lines.c.variance))

    alerts = t.reorder_alerts.c
    active = {
        kind for kind, cleared in await _rows(hub, t.reorder_alerts, alerts.kind, alerts.cleared_at) if not cleared
    }
    assert active == {"low_stock", "overstock"}


async def test_the_demo_books_invoice_what_shipped_and_the_trial_balance_balances(hub: Hub) -> None:
    report = await run_demo(hub)

    # Every shipped order is invoiced for what it shipped and kept (returns are not billed).
    orders = {row.id: row for row in await _rows(hub, t.sales_orders)}
    shipped = {o.id for o in orders.values() if o.status in ("shipped", "partially_shipped")}
    invoices = await _rows(hub, t.invoices)
    assert {invoice.sales_order_id for invoice in invoices} == shipped and len(invoices) == len(shipped)
    invoiced: defaultdict[tuple[int, str], Decimal] = defaultdict(Decimal)
    by_invoice = {invoice.id: invoice for invoice in invoices}
    for line in await _rows(hub, t.invoice_lines):
        invoiced[(by_invoice[line.invoice_id].sales_order_id, line.sku)] += line.qty
    kept = {
        (line.order_id, line.sku): line.shipped - line.returned
        for line in await _rows(hub, t.sales_order_lines)
        if line.order_id in shipped and line.shipped - line.returned > 0
    }
    assert invoiced == kept
    assert any(invoice.tax_total > 0 for invoice in invoices)

    # A partial customer payment; a supplier bill for a receipt, paid in part; an expense.
    (payment,) = await _rows(hub, t.payments)
    paid_invoice = next(invoice for invoice in invoices if invoice.customer == payment.customer)
    assert 0 < payment.amount < paid_invoice.total and paid_invoice.status == "partially_paid"
    (bill,) = await _rows(hub, t.bills)
    assert bill.supplier == "XIHU-TEA" and bill.status == "partially_paid"
    (supplier_payment,) = await _rows(hub, t.supplier_payments)
    assert supplier_payment.supplier == bill.supplier and 0 < supplier_payment.amount < bill.total
    (expense,) = await _rows(hub, t.expenses)
    assert expense.category == "freight" and expense.total > expense.net

    # Each of them is posted, and the journal balances: recomputed here, and as reported.
    entries = {entry.id: entry for entry in await _rows(hub, t.journal_entries)}
    sources = {entry.source_type for entry in entries.values()}
    assert {"invoice", "payment", "bill", "supplier_payment", "expense"} <= sources, sources
    debits = credits = Decimal(0)
    for line in await _rows(hub, t.journal_lines):
        debits, credits = debits + line.debit, credits + line.credit
    balance = report.summary.trial_balance
    assert balance.totals is not None and debits == credits > 0
    (totals,) = balance.totals  # the demo trades in one currency
    assert totals["debit"] == debits and totals["credit"] == credits
    assert totals["balance_debit"] == totals["balance_credit"]
    roles = {row["role"] for row in balance.rows}
    assert {"ar", "ap", "revenue", "output_tax", "input_tax", "cogs", "bank", "expenses:freight"} <= roles


async def test_on_hand_is_the_ledger_sum(hub: Hub) -> None:
    await run_demo(hub)

    ledger: defaultdict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for move in await _rows(hub, t.stock_moves):
        ledger[(move.sku, move.destination)] += move.qty
        ledger[(move.sku, move.source)] -= move.qty
    levels = await _rows(hub, t.stock_levels)
    assert levels and any(level.on_hand % 1 for level in levels), "some stock is fractional (tea in kg)"
    for level in levels:
        assert level.on_hand == ledger[(level.sku, level.warehouse)], (level.sku, level.warehouse)
    in_transit = sum((level.in_transit for level in levels), Decimal(0))
    on_the_road = sum((qty for (_sku, place), qty in ledger.items() if place == "transit"), Decimal(0))
    assert in_transit > 0 and in_transit == on_the_road


async def test_a_second_run_changes_nothing_and_gives_a_new_key(hub: Hub) -> None:
    first = await run_demo(hub)
    before = await _counts(hub)

    second = await run_demo(hub)

    assert not second.loaded
    assert await _counts(hub) == before
    assert second.summary == first.summary
    assert second.key != first.key and await hub.keys.authenticate(second.key) is not None


async def test_refuses_to_mix_into_a_database_with_other_data(hub: Hub) -> None:
    async with hub.uow() as uow:
        await handlers.create_warehouse(NewWarehouse(code="MAIN", name="Our real warehouse"), uow)
        await uow.commit()
    before = await _counts(hub)

    with pytest.raises(DemoError, match="already holds other data"):
        await run_demo(hub)

    assert await _counts(hub) == before


def _cli(url: str) -> Any:
    return CliRunner().invoke(app, ["demo", "--no-store"], env={"HUB_DATABASE_URL": url, "COLUMNS": "200"})


def test_cli_loads_then_only_shows_the_hints(sqlite_url: str) -> None:
    first = _cli(sqlite_url)
    assert first.exit_code == 0, first.output
    assert "Loaded the demo" in first.output and "hub serve" in first.output
    assert "/v1/stock" in first.output and "hub stock " in first.output
    assert "trial-balance" in first.output and re.search(r"total\s*│.*│\s*([\d.]+)\s*│\s*\1\s*│", first.output)
    key = KEY.search(first.output)
    assert key is not None

    second = _cli(sqlite_url)
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    again = KEY.search(second.output)
    assert again is not None and again.group() != key.group()

    async def authenticated() -> bool:
        hub = build(Settings(database_url=sqlite_url, _env_file=None))  # type: ignore[call-arg]
        try:
            return await hub.keys.authenticate(key.group()) is not None
        finally:
            await hub.close()

    assert asyncio.run(authenticated())


def test_cli_says_what_is_wrong_with_the_database_url(tmp_path: Path) -> None:
    result = _cli(f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/hub.db")
    assert result.exit_code == 1
    assert "folder" in result.output and "does not exist" in result.output


# -- with the simulated store: the hub running, orders in, stock and fulfillments out ----------

HUB = str(Path(sys.executable).with_name("hub"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _live_demo(url: str, folder: Path, log: Path) -> str:
    """Run `hub demo` until it says it keeps running, then Ctrl-C it; its output."""
    env = {**os.environ, "HUB_DATABASE_URL": url, "COLUMNS": "200"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [HUB, "demo", "--port", str(_free_port())], env=env, cwd=folder, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90
        while "Press Ctrl-C to stop." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"hub demo did not get to the end of its story:\n{log.read_text()}")
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return log.read_text()


async def _store_orders(url: str) -> list[Any]:
    hub = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        so = t.sales_orders.c
        return await _rows(hub, t.sales_orders, so.external_id, so.status, so.channel)
    finally:
        await hub.close()


def test_the_demo_store_sells_stock_the_hub_pushed_and_its_orders_flow_in(sqlite_url: str, tmp_path: Path) -> None:
    first = _live_demo(sqlite_url, tmp_path, tmp_path / "first.log")

    assert "Loaded the demo business" in first
    # the store shows what the channel may sell: 80 % of 18 pu-erh cakes less 1 kept back
    assert re.search(r"TEA-PUER-357\s*│\s*18\s*│\s*13\s*│\s*13\s*│", first), first
    assert re.search(r"Store order #1001 arrived as sales order \d+ \(confirmed\)", first)
    assert re.search(r"Store order #1002 arrived as sales order \d+ \(confirmed\)", first)
    assert "Store order #1001 fulfilled in the store: #1001.1 (SF Express SF1420000000001)" in first
    # after the orders: 2 cakes shipped, the store offers 80 % of 16 less 1
    assert re.search(r"TEA-PUER-357\s*│\s*16\s*│\s*11\s*│\s*11\s*│", first), first
    assert first.rstrip().endswith("Stopped.") and "Traceback" not in first

    # A second run: the demo is there already, a fresh store is connected in place of the
    # old one, and its orders come in as new sales orders, not as the first store's.
    second = _live_demo(sqlite_url, tmp_path, tmp_path / "second.log")

    assert "already loaded" in second
    assert "Store order #1001 fulfilled in the store" in second and "Traceback" not in second
    orders = [row for row in asyncio.run(_store_orders(sqlite_url)) if row.channel == "demo-shop"]
    assert len({row.external_id for row in orders}) == 4
    assert Counter(row.status for row in orders) == {"shipped": 2, "confirmed": 2}


def test_make_demo_runs_beside_the_books_of_make_run(tmp_path: Path, sqlite_template: Path) -> None:
    # ./hub.db holds real books (say, the README walk-through's): `make demo` must neither
    # refuse nor touch them, loading into ./demo.db instead.
    root = Path(__file__).resolve().parents[2]
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(root / name, tmp_path / name)
    books = tmp_path / "hub.db"
    shutil.copy(sqlite_template, books)

    async def with_books(work: Any) -> Any:
        hub = build(Settings(database_url=f"sqlite+aiosqlite:///{books}", _env_file=None))  # type: ignore[call-arg]
        try:
            return await work(hub)
        finally:
            await hub.close()

    async def keep_books(hub: Hub) -> None:
        async with hub.uow() as uow:
            await handlers.create_warehouse(NewWarehouse(code="MAIN", name="Our real warehouse"), uow)
            await uow.commit()

    asyncio.run(with_books(keep_books))
    before = asyncio.run(with_books(_counts))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_") and k not in ("MAKEFLAGS", "MAKELEVEL")}
    env |= {"LINK_VENV": sys.prefix, "HUB_PORT": str(_free_port()), "COLUMNS": "200"}
    log = tmp_path / "make-demo.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["make", "demo"], cwd=tmp_path, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while "Press Ctrl-C to stop." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make demo did not get to the end of its story:\n{log.read_text()}")
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, to make and the demo alike
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    output = log.read_text()
    assert "Loaded the demo business" in output and "demo.db" in output, output
    assert (tmp_path / "demo.db").exists()
    assert asyncio.run(with_books(_counts)) == before and before["warehouses"] == 1
