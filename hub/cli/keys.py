"""``hub keys``: API keys."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from hub.cli._common import err, out, run

app = typer.Typer(help="Manage API keys.", no_args_is_help=True)


@app.command("create")
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
    _record, secret = run(lambda hub: hub.keys.create(set(scope), name))
    sys.stdout.write(secret + "\n")


@app.command("list")
def keys_list() -> None:
    """List API keys (never the keys themselves)."""
    keys = run(lambda hub: hub.keys.list())
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


@app.command("revoke")
def keys_revoke(key_id: int) -> None:
    """Revoke an API key by id."""
    if not run(lambda hub: hub.keys.revoke(key_id)):
        err.print(f"[red]no live key with id {key_id}[/]")
        raise typer.Exit(1)
    err.print(f"key {key_id} revoked")
