"""Fault harness: a seeded trading day against the hub while faults land, then every invariant.

    .venv/bin/python bench/faults.py                          # seed 1, SQLite, local transport, 1 minute
    .venv/bin/python bench/faults.py --seed 1 --seeds 10 --database postgres --transport kafka --minutes 2

Each seed: the hub runs as ``hub serve`` + ``hub relay`` + ``hub worker``, the Shopify
simulator as the store; the day's steps (store orders by webhook and poll, receipts,
counts, shipments, refunds, cancellations) and faults (kill -9 of each process, store
429/5xx/slow/timeouts, dropped and duplicated webhooks, PostgreSQL backends terminated,
the broker frozen) come from the seed and are printed with it. Then the faults stop,
the hub converges, a final reconcile runs, and every invariant is checked. Exit code 1
if any invariant failed on any seed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `bench.faultday` when run as a script

from rich.console import Console

from bench._scratch import scratch_postgres
from bench.faultday.day import DayResult, run_day
from bench.faultday.plan import plan_day
from bench.faultday.report import print_day, print_summary


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--seeds", type=int, default=1, help="how many seeds, from --seed on (default 1)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--transport", choices=["local", "kafka"], default="local")
    parser.add_argument("--minutes", type=float, default=1.0, help="length of the trading day (default 1)")
    parser.add_argument(
        "--outage",
        type=float,
        nargs=2,
        default=(10.0, 30.0),
        metavar=("MIN", "MAX"),
        help="seconds the broker stays frozen (Kafka; default 10 30)",
    )
    parser.add_argument(
        "--postgres-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        help="server on which a scratch database is made for each seed",
    )
    parser.add_argument("--keep", type=Path, help="keep each seed's logs and SQLite file under this directory")
    parser.add_argument("--quiet-schedule", action="store_true", help="do not print each day's schedule")
    return parser.parse_args(argv)


@contextlib.asynccontextmanager
async def _database(args: argparse.Namespace, where: Path, console: Console) -> AsyncIterator[str]:
    if args.database == "sqlite":
        yield f"sqlite+aiosqlite:///{where / 'hub.db'}"
        return
    async with scratch_postgres(args.postgres_url, console) as url:
        if url is None:
            raise SystemExit(2)
        yield url


async def _one(args: argparse.Namespace, seed: int, console: Console) -> DayResult:
    plan = plan_day(
        seed, args.minutes * 60, database=args.database, transport=args.transport, outage=tuple(args.outage)
    )
    with contextlib.ExitStack() as stack:
        if args.keep:
            where = args.keep / f"seed-{seed}"
            where.mkdir(parents=True, exist_ok=True)
        else:
            where = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"faults-{seed}-")))
        async with _database(args, where, console) as url:
            result = await run_day(plan, url, where)
    print_day(console, result, schedule=not args.quiet_schedule)
    return result


async def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    console = Console()
    results = [await _one(args, seed, console) for seed in range(args.seed, args.seed + args.seeds)]
    if len(results) > 1:
        print_summary(console, results)
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
