"""``hub connectors add | update | list | show | remove`` and ``hub reconcile``: connector instances.

They work on the database directly, through the same service as ``/v1/connectors``, so
no hub needs to be running. A running hub's workers pick up an instance added here
within ``HUB_CONNECTOR_REFRESH`` seconds and run its first reconciliation.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import rich.progress
import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from hub.bootstrap import Hub
from hub.cli._common import err, out, run
from hub.connectors.reconcile import reconcile as reconcile_instance
from hub.connectors.sdk.errors import ConnectorError
from hub.connectors.service import ConnectorSpec
from hub.connectors.status import describe, status
from hub.core.errors import DomainError, NotFound
from hub.db.connectors import InstanceRow
from hub.sync.engine import Progress, RunReport, recent_runs
from hub.sync.plan import Action, quiet

__all__ = ["register"]

connectors_app = typer.Typer(
    help="Connector instances: one account of an external system (a Shopify store …).", no_args_is_help=True
)
T = TypeVar("T")

JSON_HELP = "a JSON object, or @FILE to read one from a file (keeps tokens out of shell history)"


def register(app: typer.Typer) -> None:
    app.add_typer(connectors_app, name="connectors")
    app.command()(reconcile)


def _fail(command: str, message: str, *, code: int = 1) -> NoReturn:
    err.print(f"[red]hub {command}:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _attempt(command: str, work: Callable[[Hub], Awaitable[T]]) -> T:
    """Run ``work``; a refusal by the hub or the vendor ends the command with one line (exit 1)."""
    hub_log, brief = logging.getLogger("hub"), _BriefLog()
    hub_log.addHandler(brief)
    try:
        return run(work)
    except (DomainError, ConnectorError) as problem:
        _fail(command, str(problem))
    finally:
        hub_log.removeHandler(brief)


class _BriefLog(logging.Handler):
    """The hub's warnings and errors on stderr, one line each, while a command runs.

    Without it Python's last-resort handler prints a failed reconciliation's traceback,
    though the run report already says what failed. Through the console, so a line
    does not tear a progress bar.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        line = f"{record.levelname.lower()}: {record.getMessage()}"
        err.print(line, style="yellow", markup=False, highlight=False, soft_wrap=True)


def _json_object(option: str, value: str, command: str = "connectors add") -> dict[str, Any]:
    """Inline JSON, or ``@FILE``: the file's JSON."""
    text = value
    if value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except OSError as error:
            _fail(command, f"{option}: cannot read {value[1:]}: {error.strerror}", code=2)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        hint = f"; to read the file, write @{value}" if not value.startswith("@") and Path(value).is_file() else ""
        _fail(
            command,
            f"{option}: not JSON ({error.msg}, line {error.lineno} column {error.colno}){hint}",
            code=2,
        )
    if not isinstance(data, dict):
        _fail(command, f"{option}: must be a JSON object, not {type(data).__name__}", code=2)
    return data


# -- add, list, show, remove ------------------------------------------------------------------


@connectors_app.command("add")
def connectors_add(
    connector_id: Annotated[str, typer.Argument(metavar="ID", help="lowercase letters, digits, - and _")],
    type_: Annotated[str, typer.Option("--type", help="the connector type, e.g. shopify")],
    config: Annotated[str, typer.Option(help=f"settings and credentials: {JSON_HELP}")],
    mappings: Annotated[str, typer.Option(help="locations ↔ warehouses, allocation …: a JSON object or @FILE")] = "{}",
) -> None:
    """Add an instance (credentials checked with the vendor first).

    Its config is validated, its mappings checked against the hub's records and its
    credentials with the vendor; if any of that fails, nothing is saved.
    """
    from pydantic import ValidationError

    from hub.api.routers.connectors import ConnectorIn

    config_, mappings_ = _json_object("--config", config), _json_object("--mappings", mappings)
    try:
        # The API's own model: the CLI accepts exactly what POST /v1/connectors accepts.
        spec = ConnectorIn(id=connector_id, type=type_, config=config_, mappings=mappings_)
    except ValidationError as error:
        first = error.errors()[0]
        _fail("connectors add", f"{'.'.join(map(str, first['loc']))}: {first['msg']}", code=2)

    async def add(hub: Hub) -> list[str]:
        row = await hub.connectors.add(ConnectorSpec(spec.id, spec.type, spec.config, spec.mappings))
        capabilities: list[str] = describe(hub.connectors, row)["capabilities"]
        return capabilities

    capabilities = _attempt("connectors add", add)
    err.print(f"connector {spec.id} added ({spec.type}: {', '.join(capabilities)})", highlight=False)
    err.print(f"A running hub (hub serve, hub worker) reconciles it first; to do it now: hub reconcile {spec.id}")


@connectors_app.command("update")
def connectors_update(
    connector_id: Annotated[str, typer.Argument(metavar="ID")],
    config: Annotated[str | None, typer.Option(help=f"the new config (secrets left out are kept): {JSON_HELP}")] = None,
    mappings: Annotated[str | None, typer.Option(help="the new mappings: a JSON object or @FILE")] = None,
) -> None:
    """Replace an instance's config and/or mappings (checked as on adding).

    Secrets the new config leaves out keep their stored values; new credentials make a
    needs_reauth instance active again. If any check fails, nothing is saved. A running
    hub's worker restarts with the change.
    """
    if config is None and mappings is None:
        _fail("connectors update", "nothing to change: give --config, --mappings or both", code=2)
    config_ = None if config is None else _json_object("--config", config, "connectors update")
    mappings_ = None if mappings is None else _json_object("--mappings", mappings, "connectors update")

    async def update(hub: Hub) -> str:
        row = await hub.connectors.update(connector_id, config_, mappings_)
        return row.status

    state = _attempt("connectors update", update)
    err.print(f"connector {connector_id} updated ({state})", highlight=False)


@connectors_app.command("list")
def connectors_list() -> None:
    """List instances with their last sync and queued work (never their secrets)."""

    async def overview(hub: Hub) -> list[tuple[InstanceRow, list[RunReport], dict[str, int]]]:
        rows = await hub.connectors.rows()
        return [(row, await recent_runs(hub.db, row.id, limit=1), await hub.work.depth(row.id)) for row in rows]

    table = Table("id", "type", "status", "last sync", "queue", title="connectors")
    for row, runs, depth in _attempt("connectors list", overview):
        _add_row(table, row.id, row.type, row.status, _last_sync(runs[0]) if runs else "never", sum(depth.values()))
    out.print(table)


@connectors_app.command("show")
def connectors_show(
    connector_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[
        bool, typer.Option("--json", help="print the status as GET /v1/connectors/ID answers it")
    ] = False,
) -> None:
    """Show an instance's status (secrets masked).

    Config and mappings, last sync per entity, cursors, recent errors, orders on hold
    and queued work: what GET /v1/connectors/ID answers.
    """

    async def read(hub: Hub) -> dict[str, Any]:
        for row in await hub.connectors.rows():
            if row.id == connector_id:
                return await status(hub.connectors, hub.work, row)
        raise NotFound(f"connector {connector_id} does not exist")

    data = _attempt("connectors show", read)
    if as_json:
        from hub.api.routers.connectors import ConnectorStatus

        sys.stdout.write(ConnectorStatus.model_validate(data).model_dump_json(indent=2) + "\n")
        return
    _show_status(data)


@connectors_app.command("remove")
def connectors_remove(connector_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Remove an instance with its bindings, cursors, holds, queue and run reports.

    The hub's own records (the orders it brought in, stock) stay.
    """
    _attempt("connectors remove", lambda hub: hub.connectors.remove(connector_id))
    err.print(f"connector {connector_id} removed", highlight=False)


def _show_status(data: Mapping[str, Any]) -> None:
    out.print(f"[bold]{escape(data['id'])}[/]  {data['type']}, {data['status']}: {', '.join(data['capabilities'])}")
    settings = Table("setting", "value", title="instance")
    for key, value in _flat({"config": data["config"], "mappings": data["mappings"]}):
        _add_row(settings, key, value)
    _add_row(settings, "created", data["created_at"])
    out.print(settings)

    runs = [
        (
            entity,
            last["id"],
            last["trigger"] + (" (dry run)" if last["dry_run"] else ""),
            last["status"],
            last["finished_at"],
            ", ".join(f"{n} {action}" for action, n in last["counts"].items() if n) or "nothing",
            last["writes"],
            len(last["errors"]),
        )
        for entity, last in data["last_sync"].items()
    ]
    _section(
        "last sync", runs, ("entity", "run", "trigger", "status", "finished", "plan", "writes", "errors"), empty="never"
    )
    _section("cursors", data["cursors"].items(), ("stream", "cursor"))
    depth = data["queue"]
    out.print("queue: " + (", ".join(f"{kind} {n}" for kind, n in sorted(depth.items())) or "empty"))
    errors = [(e["source"], e["kind"], e["key"], e.get("attempts"), e["error"][:160]) for e in data["recent_errors"]]
    _section("recent errors", errors, ("source", "kind", "key", "attempts", "error"))
    held = [(h["external_id"], h["reason"], h["first_seen"], h["last_seen"]) for h in data["orders_on_hold"]]
    _section("orders on hold", held, ("order", "reason", "first seen", "last seen"))


def _section(title: str, rows: Any, columns: tuple[str, ...], *, empty: str = "none") -> None:
    """A table, or one line saying there is nothing to show."""
    rows = list(rows)
    if not rows:
        out.print(f"{title}: {empty}")
        return
    table = Table(*columns, title=title)
    for row in rows:
        _add_row(table, *row)
    out.print(table)


def _add_row(table: Table, *cells: Any) -> None:
    # Text, not markup: a SKU or an error message may hold square brackets. Folded, not
    # cut short: a key or an id is no use with its end missing.
    table.add_row(*(Text(_cell(cell), overflow="fold") for cell in cells))


def _flat(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested settings as dotted keys, one per row."""
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            yield from _flat(inner, f"{prefix}.{key}" if prefix else str(key))
    elif value is not None:  # unset: the default applies
        yield prefix, value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return str(value)


def _last_sync(report: RunReport) -> str:
    when = _cell(report.finished_at or report.started_at)
    return f"{when} {report.entity} {report.status}" + (" (dry run)" if report.dry_run else "")


# -- reconcile ----------------------------------------------------------------------------------


def reconcile(
    connector_id: Annotated[str, typer.Argument(metavar="ID", help="the connector instance")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="plan only: read both sides, write nothing")] = False,
    entity: Annotated[str | None, typer.Option(help="one entity, e.g. stock or orders (default: every one)")] = None,
    limit: Annotated[int, typer.Option(min=0, help="changed items and errors to list per entity")] = 20,
) -> None:
    """Reconcile a connector instance now, showing the plan and the run report.

    Reads both sides, plans (create / update / unchanged / conflict) and writes the
    difference; --dry-run stops at the plan. Exit code 1 when a run failed or wrote
    only part of its plan.
    """

    async def main(hub: Hub) -> list[RunReport]:
        with _progress_bars() as bar_for:
            return await reconcile_instance(
                hub.connectors, connector_id, entity, dry_run=dry_run, trigger="cli", progress_for=bar_for
            )

    reports = _attempt("reconcile", main)
    if not reports:
        err.print(f"{connector_id} has nothing to reconcile", highlight=False)
        return
    _show_reports(reports, dry_run=dry_run, limit=limit)
    if any(report.status != "succeeded" for report in reports):
        raise typer.Exit(1)


@contextmanager
def _progress_bars() -> Iterator[Callable[[str], Progress]]:
    """Per entity, a progress callback feeding a bar on stderr. Only a terminal gets
    bars: piped or logged output carries the plan and the report, nothing else."""
    if not (err.is_terminal and out.is_terminal):
        yield lambda _entity: quiet
        return
    columns = (
        rich.progress.SpinnerColumn(),
        rich.progress.TextColumn("{task.description}"),
        rich.progress.BarColumn(),
        rich.progress.MofNCompleteColumn(),
        rich.progress.TimeElapsedColumn(),
    )
    with rich.progress.Progress(*columns, console=err, transient=True) as bars:

        def bar_for(entity: str) -> Progress:
            task = bars.add_task(entity, total=None)

            def progress(phase: str, done: int, total: int | None) -> None:
                bars.update(task, description=f"{entity}: {phase}", completed=done, total=total)

            return progress

        yield bar_for


def _show_reports(reports: list[RunReport], *, dry_run: bool, limit: int) -> None:
    title = "plan (dry run: nothing written)" if dry_run else f"reconciliation of {reports[0].connector_id}"
    # Light lines: nine columns still fit an 80-column terminal.
    summary = Table(
        "entity", "run", *Action, "writes", "errors", "status", title=title, box=box.SIMPLE_HEAD, collapse_padding=True
    )
    for report in reports:
        counts = (report.counts.get(action, 0) for action in Action)
        _add_row(summary, report.entity, report.id, *counts, report.writes, len(report.errors), report.status)
    out.print(summary)
    for report in reports:
        changed = [item for item in (report.plan.items if report.plan else []) if item.action is not Action.UNCHANGED]
        if changed:
            table = Table(
                "key", "action", "desired", "actual", "reason", title=f"{report.entity}: changes and conflicts"
            )
            for item in changed[:limit]:
                _add_row(table, item.key, item.action.value, item.desired, item.actual, item.reason)
            out.print(table)
            if len(changed) > limit:
                out.print(f"… and {len(changed) - limit} more {report.entity} items (--limit to see more)")
        if report.errors:
            errors = Table("key", "error", title=f"{report.entity}: errors")
            for error in report.errors[:limit]:
                _add_row(errors, error.get("key"), error.get("error"))
            out.print(errors)
            if len(report.errors) > limit:
                out.print(f"… and {len(report.errors) - limit} more {report.entity} errors")
