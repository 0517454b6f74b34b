"""What the bench scripts share: a scratch PostgreSQL database, dropped afterwards, and the
``--postgres-url`` option naming the server it is made on."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

from rich.console import Console
from rich.markup import escape
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def add_postgres_url(parser: argparse.ArgumentParser) -> None:
    """``--postgres-url``: the server the scratch database is created on."""
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help=f"server to create the scratch database on (default {DEFAULT_POSTGRES})",
    )


@contextlib.asynccontextmanager
async def scratch_postgres(server_url: str, console: Console) -> AsyncIterator[str | None]:
    """A new database on the server (dropped afterwards), or None when the server is unreachable."""
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await asyncio.wait_for(conn.execute(text(f'CREATE DATABASE "{name}"')), timeout=10)
    except Exception as error:  # unreachable, refused, bad credentials: skip PostgreSQL, say why
        await admin.dispose()
        where = make_url(server_url).render_as_string(hide_password=True)
        reason = escape(f"{type(error).__name__}: {error}")
        console.print(f"[yellow]PostgreSQL skipped[/]: cannot create a scratch database at {where} ({reason})")
        yield None
        return
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
