"""``hub relay``, ``hub worker`` and ``hub dlq``: the event machinery, for operators."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hub.bootstrap import Hub
from hub.cli._common import err, out, run, until_signalled, where
from hub.config import Settings

__all__ = ["register"]

dlq_app = typer.Typer(help="Dead letters: messages a subscriber could not handle.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(relay)
    app.command()(worker)
    app.add_typer(dlq_app, name="dlq")


def relay() -> None:
    """Publish committed outbox events to the transport (one active relay per database; others stand by)."""
    from hub.outbox.runtime import EventRuntime

    settings = Settings()
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
        table.add_row(
            str(letter.id),
            letter.subscriber,
            letter.event_id or "",
            letter.type or "",
            letter.source,
            str(letter.attempts),
            letter.status,
            letter.error[:80],
        )
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
        err.print(f"[red]hub dlq retry:[/] {problem}")
        raise typer.Exit(1) from None
    if outcome == "dead":
        err.print(f"[red]dead letter {letter_id} failed again:[/] {error}")
        raise typer.Exit(1)
    err.print(f"dead letter {letter_id}: {outcome}")


@dlq_app.command("drop")
def dlq_drop(letter_id: Annotated[int, typer.Argument(help="the dead letter's id")]) -> None:
    """Give up on a dead letter (it stays listed as dropped)."""
    from hub.outbox.deadletters import DeadLetterError, drop

    try:
        run(lambda hub: drop(hub.db, letter_id))
    except DeadLetterError as problem:
        err.print(f"[red]hub dlq drop:[/] {problem}")
        raise typer.Exit(1) from None
    err.print(f"dead letter {letter_id} dropped")
