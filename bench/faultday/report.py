"""The report of a day (and of several): faults, retries, duplicates, convergence, invariants."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from bench.faultday.day import DayResult

__all__ = ["print_day", "print_summary"]


def _faults(result: DayResult) -> str:
    kinds = {**{k: v for k, v in result.injected.items() if not k.startswith("pg_backends")}, **result.store_faults}
    return ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()) if v) or "none"


def print_day(console: Console, result: DayResult, *, schedule: bool = True) -> None:
    plan, figures = result.plan, result.figures
    if schedule:
        for line in plan.describe():
            console.print(line, highlight=False)
    console.print(f"[bold]seed {plan.seed}[/]: faults injected — {_faults(result)}", highlight=False)
    if result.injected.get("pg_terminate"):
        console.print(
            f"  PostgreSQL backends terminated: {result.injected['pg_backends_terminated']}, "
            f"{result.injected['pg_backends_terminated_mid_transaction']} of them inside a transaction"
        )
    if figures.get("process_starts"):
        console.print(f"  process starts: {figures['process_starts']}", highlight=False)
    console.print(
        f"  steps done {dict(result.steps)}; refused (nothing to act on, or refused by the hub) {dict(result.refused)}",
        highlight=False,
    )
    store_retries = sum(result.store_faults.get(k, 0) for k in ("429", "5xx", "timeout"))
    console.print(
        f"  retries: connector→store {store_retries} (429/5xx/504 answered), webhook POSTs not accepted (so sent "
        f"again) {figures.get('webhook_retries', '?')}, harness→hub {figures.get('api_retries', '?')} "
        f"({figures.get('idempotent_replays', '?')} answered by Idempotency-Key replay)",
        highlight=False,
    )
    posts, receipts = figures.get("webhook_posts_accepted", 0), figures.get("webhook_receipts", 0)
    console.print(
        f"  duplicates suppressed: webhooks {posts - receipts} ({posts} deliveries accepted, {receipts} receipts; "
        f"{figures.get('webhooks', '?')} sent, {figures.get('webhooks_dropped', '?')} dropped by the store); "
        f"inbox {figures.get('inbox_duplicates_serve', '?')} (counted by the last hub serve only: counters are per "
        f"process); dead letters {figures.get('dead_letters', '?')}, "
        f"re-driven {figures.get('dead_letters_redriven', '?')}",
        highlight=False,
    )
    converge = f"{result.converge_seconds:.1f} s" if result.converge_seconds is not None else "—"
    console.print(f"  time to converge (faults off → quiet, reconciled, quiet): {converge}")
    for what in ("crashed_by_themselves", "hung", "restart_errors"):
        for line in figures.get(what, []):
            console.print(f"  [red]{what.replace('_', ' ')}[/]: {line}", highlight=False)
    for check in result.checks:
        mark = "[green]ok[/]" if check.ok else "[red]FAILED[/]"
        console.print(f"  {mark} {check.name}: {check.detail}", highlight=False)
    if result.error:
        console.print(f"  [red]run broke[/]: {result.error}", highlight=False)
    if figures.get("diagnosis"):
        console.print("  the hub after the timeout (bench/faultday/diagnose.py):", highlight=False)
        for line in figures["diagnosis"].splitlines():
            console.print(f"    {line}", highlight=False, markup=False)


def print_summary(console: Console, results: Sequence[DayResult]) -> None:
    table = Table(title="Fault harness: one row per seed")
    for column in ("seed", "faults injected", "converge s", "invariants"):
        table.add_column(column)
    for result in results:
        failed = [c.name for c in result.checks if not c.ok] + (["run broke"] if result.error else [])
        converge = f"{result.converge_seconds:.1f}" if result.converge_seconds is not None else "—"
        table.add_row(
            str(result.plan.seed), _faults(result), converge, "ok" if not failed else "FAILED: " + ", ".join(failed)
        )
    console.print(table)
