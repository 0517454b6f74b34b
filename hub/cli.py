"""The ``hub`` command for operators."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hub.bootstrap import Hub, build
from hub.config import Settings

app = typer.Typer(help="jxc-hub: the 进销存 integration hub.", no_args_is_help=True, add_completion=False)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


def _run(work: Callable[[Hub], Awaitable[T]], *, migrate: bool = True) -> T:
    """Build the hub, bring its schema up to date, run ``work``, close.

    A database that cannot be reached or used ends the command with one line saying
    why (exit code 1), not a traceback.
    """
    settings = Settings()

    async def main() -> T:
        hub = build(settings)
        try:
            if migrate and hub.settings.migrate_on_start:
                await hub.migrate()
            return await work(hub)
        finally:
            await hub.close()

    try:
        return asyncio.run(main())
    except (OSError, SQLAlchemyError) as error:
        err.print(f"[red]hub:[/] {_database_trouble(error, settings)}", highlight=False)
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="interface to listen on [default: HUB_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: HUB_PORT or 8000]")] = None,
) -> None:
    """Run the HTTP API (migrating the database first unless HUB_MIGRATE_ON_START=false)."""
    import uvicorn

    from hub.api.app import create_app

    settings = Settings()
    if not _run(lambda hub: hub.keys.list()):
        err.print("[yellow]No API keys yet.[/] Create one with: [bold]hub keys create --scope admin[/]")
    err.print(f"jxc-hub on http://{host or settings.host}:{port or settings.port}  (database {_where(settings)})")
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply schema migrations."""
    from hub.db.migrate import upgrade

    settings = Settings()
    try:
        upgrade(settings.database_url, revision)
    except (OSError, SQLAlchemyError) as error:
        err.print(f"[red]hub migrate:[/] {_database_trouble(error, settings)}", highlight=False)
        raise typer.Exit(1) from None
    err.print(f"database at {revision}: {_where(settings)}")


@app.command()
def demo() -> None:
    """Load a small sample business (tea and teaware) and show where to look. Safe to run again."""
    from hub.demo import DemoError, check_url, run_demo, show

    settings = Settings()
    try:
        check_url(settings.database_url)
        report = _run(run_demo)
    except DemoError as error:
        err.print(f"[red]hub demo:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    show(out, report, settings)


def _where(settings: Settings) -> str:
    """The database URL, safe to print."""
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _database_trouble(error: OSError | SQLAlchemyError, settings: Settings) -> str:
    """Say what went wrong with the database in words an operator can act on."""
    where = _where(settings)
    detail = str(getattr(error, "orig", None) or error).splitlines()[0]
    if isinstance(error, OSError):
        return f"cannot reach the database at {where}: {detail}"
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"the database at {where} has no hub schema ({detail}); run `hub migrate` first"
    if detail.startswith("database") and "does not exist" in detail:
        return f"{detail} at {where}; create it first (e.g. `createdb NAME`)"
    return f"database error at {where}: {detail}"


@keys_app.command("create")
def keys_create(
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="stock:read, read, write or admin (repeatable) [default: read]")
    ] = None,
    name: Annotated[str | None, typer.Option(help="a note saying who the key is for")] = None,
) -> None:
    """Create an API key and print it (alone, on stdout). It is not shown again."""
    from hub.api.auth import SCOPES

    scope = scope or ["read"]
    unknown = [s for s in scope if s not in SCOPES]
    if unknown:
        err.print(f"[red]unknown scope {', '.join(unknown)}[/]; choose from {', '.join(SCOPES)}")
        raise typer.Exit(2)
    _record, secret = _run(lambda hub: hub.keys.create(set(scope), name))
    sys.stdout.write(secret + "\n")


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never the keys themselves)."""
    keys = _run(lambda hub: hub.keys.list())
    table = Table("id", "prefix", "scopes", "name", "created", "revoked")
    for key in keys:
        table.add_row(
            str(key.id),
            key.prefix + "…",
            " ".join(sorted(key.scopes)),
            key.name or "",
            key.created_at.isoformat(timespec="seconds"),
            key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "",
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: int) -> None:
    """Revoke an API key by id."""
    if not _run(lambda hub: hub.keys.revoke(key_id)):
        err.print(f"[red]no live key with id {key_id}[/]")
        raise typer.Exit(1)
    err.print(f"key {key_id} revoked")


@app.command()
def stock(sku: str) -> None:
    """Show a SKU's stock per warehouse, with average cost and value."""
    from hub.api.schemas import StockSummary
    from hub.db.queries import Queries

    async def read(hub: Hub) -> StockSummary | None:
        async with hub.uow.reader() as uow:
            queries = Queries(uow.session)
            if await queries.product(sku) is None:
                return None
            return StockSummary.of(sku, *await queries.stock_of(sku))

    summary = _run(read)
    if summary is None:
        err.print(f"[red]no product with SKU {sku}[/]")
        raise typer.Exit(1)
    table = Table("warehouse", "on hand", "reserved", "available", "in transit", title=f"{sku}")
    for row in summary.warehouses:
        table.add_row(row.warehouse, *(_n(getattr(row, k)) for k in ("on_hand", "reserved", "available", "in_transit")))
    table.add_section()
    table.add_row("total", *(_n(getattr(summary, k)) for k in ("on_hand", "reserved", "available", "in_transit")))
    out.print(table)
    data = summary.model_dump(mode="json")
    out.print(f"average cost {data['average_cost']}   stock value {data['stock_value']}")


def _n(value: object) -> str:
    from decimal import Decimal

    from hub.core.numbers import normalize

    return str(normalize(value)) if isinstance(value, Decimal) else str(value)
