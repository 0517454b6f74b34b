"""``hub serve``, ``migrate``, ``demo`` and ``stock``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from hub.bootstrap import Hub
from hub.cli._common import database_trouble, err, log_to_stderr, out, run, where
from hub.config import Settings


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(migrate)
    app.command()(demo)
    app.command()(stock)


def serve(
    host: Annotated[str | None, typer.Option(help="interface to listen on [default: HUB_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: HUB_PORT or 8000]")] = None,
) -> None:
    """Run the HTTP API (migrating the database first unless HUB_MIGRATE_ON_START=false)."""
    import uvicorn

    from hub.api.app import create_app

    settings = Settings()
    # The workers in this process (HUB_TRANSPORT) log like ``hub worker``'s.
    log_to_stderr(settings)
    # Only advice, read-only: a connection cut during it must not stop the server starting.
    if not run(lambda hub: hub.keys.list(), attempts=3):
        # Name the command as it was run (``.venv/bin/hub``), not a bare ``hub`` that may not be on PATH.
        command = sys.argv[0] if Path(sys.argv[0]).name == "hub" else "hub"
        err.print(f"[yellow]No API keys yet.[/] Create one with: [bold]{escape(command)} keys create --scope admin[/]")
    err.print(f"jxc-hub on http://{host or settings.host}:{port or settings.port}  (database {where(settings)})")
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


def migrate(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply schema migrations."""
    from hub.db.migrate import upgrade

    settings = Settings()
    try:
        upgrade(settings.database_url, revision)
    except (OSError, SQLAlchemyError) as error:
        err.print(f"[red]hub migrate:[/] {database_trouble(error, settings)}", highlight=False)
        raise typer.Exit(1) from None
    err.print(f"database at {revision}: {where(settings)}")


def demo(
    store: Annotated[
        bool, typer.Option("--store/--no-store", help="then run the hub with a simulated Shopify store")
    ] = True,
    host: Annotated[str | None, typer.Option(help="the hub's interface [default: HUB_HOST or 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="the hub's port [default: HUB_PORT or 8000]")] = None,
) -> None:
    """Load a small sample business (tea and teaware), then run the hub with a simulated
    Shopify store: stock flows out, orders flow in. Ctrl-C stops. It loads only into an
    empty database and refuses one holding anything else, so give it one of its own
    (`make demo` uses ./demo.db, not the ./hub.db of `make run`). Run again on the demo's
    database, it loads nothing twice: it shows the business with a new admin key and
    connects a fresh simulated store, whose orders come in as new sales orders."""
    import asyncio

    from hub.bootstrap import build, default_subscribers
    from hub.cli._common import until_signalled
    from hub.demo import DemoError, check_url, run_demo, run_store, show

    settings = Settings()
    try:
        check_url(settings.database_url)
        if not store:
            show(out, run(run_demo), settings)
            return

        async def live() -> None:
            stop = until_signalled()
            hub = build(settings, subscribers=default_subscribers(settings))
            try:
                if settings.migrate_on_start:
                    await hub.migrate()
                report = await run_demo(hub)
                show(out, report, settings, hints=False)
                await run_store(hub, report, out, host=host or settings.host, port=port or settings.port, stop=stop)
            finally:
                await hub.close()

        asyncio.run(live())
    except DemoError as error:
        err.print(f"[red]hub demo:[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    except (OSError, SQLAlchemyError) as error:
        err.print(f"[red]hub demo:[/] {database_trouble(error, settings)}", highlight=False)
        raise typer.Exit(1) from None


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

    summary = run(read)
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
