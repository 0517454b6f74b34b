"""The ``hub`` command for operators.

hub serve | migrate | demo | stock SKU          the hub itself   (core.py)
hub keys create | list | revoke                 API keys         (keys.py)
hub relay | worker | dlq … | events schema      events           (events.py)
hub openapi [--out FILE]                        the API document     (openapi.py)
hub report NAME [--from --to --at …] [--csv]    weekly reports       (reports.py)
hub connectors add | update | list | show | remove   connector instances  (connectors.py)
hub secrets rotate                              re-encrypt with the current key (secrets.py)
hub reconcile ID [--dry-run]                    reconciliation       (connectors.py)
hub connector new NAME                          a connector package  (scaffold.py)
"""

from __future__ import annotations

import typer

from hub.cli import connectors, core, events, keys, openapi, reports, scaffold, secrets

__all__ = ["app"]

app = typer.Typer(help="jxc-hub: the 进销存 integration hub.", no_args_is_help=True, add_completion=False)
core.register(app)
events.register(app)
openapi.register(app)
reports.register(app)
app.add_typer(keys.app, name="keys")
connectors.register(app)
app.add_typer(scaffold.app, name="connector")
app.add_typer(secrets.app, name="secrets")
