"""``hub openapi``: the API's OpenAPI document, as served at ``/openapi.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hub.cli._common import err

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(name="openapi")(write_openapi)


def write_openapi(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="write it to this file [default: standard output]", dir_okay=False)
    ] = None,
) -> None:
    """Write the OpenAPI 3.1 document of the HTTP API (no database or running hub needed)."""
    from hub.api.app import create_app

    text = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    if out_file is None:
        typer.echo(text, nl=False)
        return
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    err.print(f"wrote {out_file}")
