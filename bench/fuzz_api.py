"""A longer schemathesis run over the whole API, with a random seed (printed, so a failure replays).

The CI test (tests/e2e/contract) runs one fixed seed with 25 examples per operation; this
runs as many as you like, on SQLite, PostgreSQL or both, against `hub serve` beside a
Shopify simulator — the same stack, the same checks and phases, the same hooks.

    .venv/bin/python bench/fuzz_api.py                      # SQLite, random seed, 200 examples
    .venv/bin/python bench/fuzz_api.py --database postgres --seed 42 --examples 500
    .venv/bin/python bench/fuzz_api.py --database both --runs 3

Exit status 1 when any run found failures; its report (schemathesis' own) is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from _scratch import scratch_postgres  # noqa: E402

from tests.e2e.contract.stack import running_stack  # noqa: E402
from tests.e2e.contract.test_schemathesis import run_schemathesis  # noqa: E402

console = Console()
SERVER = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def one_run(database_url: str, seed: int, examples: int, label: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="hub-fuzz-") as scratch:
        work = Path(scratch)
        started = time.monotonic()
        with running_stack(database_url, work) as stack:
            result = run_schemathesis(stack, work, seed=seed, max_examples=examples)
            alive = stack.hub_alive()
        elapsed = time.monotonic() - started
    lines = (result.stdout + result.stderr).splitlines()
    summary = next((line for line in reversed(lines) if line.startswith("=")), "")
    ok = result.returncode == 0 and alive
    colour = "green" if ok else "red"
    console.print(f"[{colour}]{label}[/]: seed {seed}, {examples} examples/op, {elapsed:.0f} s — {summary.strip('= ')}")
    if not ok:
        console.print("\n".join(lines[-200:]), markup=False, highlight=False)
        if not alive:
            console.print("[red]hub serve died during the run[/]")
    return ok


async def _postgres_run(seed: int, examples: int) -> bool:
    async with scratch_postgres(SERVER, console) as url:
        if url is None:
            return False
        return await asyncio.to_thread(one_run, url, seed, examples, "postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seed", type=int, help="first seed (default: random)")
    parser.add_argument("--runs", type=int, default=1, help="runs per database, seeds seed, seed+1, …")
    parser.add_argument("--examples", type=int, default=200, help="test cases per operation and phase")
    args = parser.parse_args()
    first = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    console.print(f"fuzzing the API: seed {first}, {args.runs} run(s), {args.examples} examples per operation")
    ok = True
    for n in range(args.runs):
        seed = first + n
        if args.database in ("sqlite", "both"):
            with tempfile.TemporaryDirectory(prefix="hub-fuzz-db-") as db:
                ok &= one_run(f"sqlite+aiosqlite:///{db}/hub.db", seed, args.examples, "sqlite")
        if args.database in ("postgres", "both"):
            ok &= asyncio.run(_postgres_run(seed, args.examples))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
