"""``hub secrets rotate``: re-encrypt stored connector credentials with the current key."""

from __future__ import annotations

import typer

from hub.cli._common import err, run
from hub.connectors.sdk.errors import ConnectorError

app = typer.Typer(help="The key connector credentials are encrypted with.", no_args_is_help=True)


@app.command("rotate")
def secrets_rotate() -> None:
    """Re-encrypt every stored connector config and token with HUB_SECRET_KEY.

    What an old key sealed must still open: keep the old key in HUB_SECRET_KEY_OLD
    until this has run (on every database the key served). Running it again changes
    nothing.
    """
    try:
        resealed, total = run(lambda hub: hub.connectors.rotate_secrets())
    except ConnectorError as problem:  # a row no configured key opens: nothing was changed
        err.print(f"[red]hub secrets rotate:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    err.print(f"{resealed} of {total} stored secrets re-encrypted with the current key", highlight=False)
