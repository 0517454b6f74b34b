"""What the ratio benches share around their measurements: the common arguments, and one
run on SQLite (a temporary file) then on a scratch PostgreSQL database."""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import sqlalchemy
from _scratch import add_postgres_url, scratch_postgres
from rich.console import Console

__all__ = ["arguments", "on_both_databases"]

R = TypeVar("R")


def arguments(
    description: str, extra: Callable[[argparse.ArgumentParser], object] = lambda _parser: None
) -> argparse.Namespace:
    """``--seconds``, ``--rounds``, ``--postgres-url`` and ``--skus`` (checked), with what ``extra`` adds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per row (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved slices each row is measured in (default 3)")
    add_postgres_url(parser)
    parser.add_argument("--skus", type=int, default=300, help="SKUs the orders spread over (default 300)")
    extra(parser)
    args = parser.parse_args()
    if args.seconds <= 0 or args.rounds < 1 or args.skus < 3:
        parser.error("--seconds must be positive, --rounds at least 1, --skus at least 3")
    return args


async def on_both_databases(
    run: Callable[[str, str], Awaitable[list[R]]],
    postgres_url: str,
    console: Console,
    describe: Callable[[str], Awaitable[str]],
) -> list[R]:
    """The machine, then ``run(name, url)``'s rows on SQLite and on a scratch PostgreSQL
    database (``describe(url)`` printed first; skipped, saying why, when unreachable)."""
    console.print(
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )
    rows: list[R] = []
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as folder:
        rows += await run("SQLite", f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
    async with scratch_postgres(postgres_url, console) as url:
        if url is not None:
            console.print(await describe(url))
            rows += await run("PostgreSQL", url)
    return rows
