"""``hub relay``, ``hub worker``, ``hub dlq`` and ``hub events``: the event machinery, for operators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from hub.bootstrap import Hub
from hub.cli._common import err, log_to_stderr, out, run, until_signalled, where
from hub.config import Settings

__all__ = ["register"]

dlq_app = typer.Typer(help="Dead letters: messages a subscriber could not handle.", no_args_is_help=True)
events_app = typer.Typer(help="The event catalogue: topics, envelopes and payload schemas.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(relay)
    app.command()(worker)
    app.add_typer(dlq_app, name="dlq")
    app.add_typer(events_app, name="events")


def relay() -> None:
    """Publish committed outbox events to the transport (one active relay per database; others stand by)."""
    from hub.outbox.runtime import EventRuntime

    settings = Settings()
    log_to_stderr(settings)
    err.print(f"relay: {where(settings)} → {_transport(settings)}  (Ctrl-C to stop)")

    async def main(hub: Hub) -> None:
        runtime = EventRuntime(hub, relay=True, workers=False)
        runtime.stop = until_signalled()
        await runtime.run()

    run(main)


def worker() -> None:
    """Run the hub's subscribers on the configured transport until stopped."""
    from hub.outbox.runtime import EventRuntime

    settings = Settings()
    log_to_stderr(settings)

    async def main(hub: Hub) -> None:
        if not hub.subscribers:
            err.print("[yellow]worker: this hub has no subscribers configured; nothing to consume[/]")
        else:
            names = ", ".join(sorted(hub.subscribers))
            err.print(f"worker: {names} on {_transport(settings)}  (Ctrl-C to stop)")
        runtime = EventRuntime(hub, relay=False, workers=True)
        runtime.stop = until_signalled()
        await runtime.run()

    run(main)


def _transport(settings: Settings) -> str:
    return f"Kafka at {settings.kafka_bootstrap}" if settings.transport == "kafka" else "in-process (local)"


@dlq_app.command("list")
def dlq_list(
    status: Annotated[str, typer.Option(help="pending, retried, dropped or all")] = "pending",
    limit: Annotated[int, typer.Option(min=1, help="rows to show")] = 100,
) -> None:
    """List dead letters."""
    from hub.outbox.deadletters import list_letters

    if status not in ("pending", "retried", "dropped", "all"):
        err.print(f"[red]unknown status {status!r}[/]; choose pending, retried, dropped or all")
        raise typer.Exit(2)
    letters = run(lambda hub: list_letters(hub.db, status=None if status == "all" else status, limit=limit))
    table = Table("id", "subscriber", "event", "type", "source", "attempts", "status", "error", title="dead letters")
    for letter in letters:
        cells = (letter.subscriber, letter.event_id or "", letter.type or "", letter.source)
        # Plain text: an error or key holding "[/x]" is not rich markup.
        table.add_row(str(letter.id), *map(Text, cells), str(letter.attempts), letter.status, Text(letter.error[:80]))
    out.print(table)


@dlq_app.command("retry")
def dlq_retry(letter_id: Annotated[int, typer.Argument(help="the dead letter's id")]) -> None:
    """Hand a dead letter to its subscriber again (here, in this process)."""
    from hub.outbox.deadletters import DeadLetterError, retry

    async def main(hub: Hub) -> tuple[str, str]:
        outcome, letter = await retry(hub.db, hub.delivery, hub.subscribers, letter_id)
        return outcome.value, letter.error if letter.status == "pending" else ""

    try:
        outcome, error = run(main)
    except DeadLetterError as problem:
        err.print(f"[red]hub dlq retry:[/] {escape(str(problem))}")
        raise typer.Exit(1) from None
    if outcome == "dead":
        err.print(f"[red]dead letter {letter_id} failed again:[/] {escape(error)}")
        raise typer.Exit(1)
    err.print(f"dead letter {letter_id}: {outcome}")


@dlq_app.command("drop")
def dlq_drop(letter_id: Annotated[int, typer.Argument(help="the dead letter's id")]) -> None:
    """Give up on a dead letter (it stays listed as dropped)."""
    from hub.outbox.deadletters import DeadLetterError, drop

    try:
        run(lambda hub: drop(hub.db, letter_id))
    except DeadLetterError as problem:
        err.print(f"[red]hub dlq drop:[/] {escape(str(problem))}")
        raise typer.Exit(1) from None
    err.print(f"dead letter {letter_id} dropped")


@events_app.command("schema")
def events_schema(
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write into")] = Path("event-schemas"),
) -> None:
    """Write the AsyncAPI document of every topic and a JSON Schema per event (no database needed)."""
    from hub.outbox.catalogue import CATALOGUE, asyncapi, envelope_schema

    document = asyncapi(bootstrap=Settings().kafka_bootstrap).to_jsonable()
    files: dict[Path, Any] = {out_dir / "asyncapi.json": document}
    files[out_dir / "schemas" / "envelope.json"] = envelope_schema()
    for spec in CATALOGUE.values():
        files[out_dir / "schemas" / f"{spec.key}.json"] = spec.envelope_schema()
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.print(str(path), highlight=False, soft_wrap=True)
    err.print(
        f"AsyncAPI {document['asyncapi']}: {len(document['channels'])} topics; "
        f"JSON Schemas of {len(CATALOGUE)} events and the envelope"
    )
