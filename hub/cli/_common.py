"""What every ``hub`` command shares: consoles, building the hub, database trouble."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hub.bootstrap import Hub, build, default_subscribers
from hub.config import Settings

__all__ = ["database_trouble", "err", "log_to_stderr", "out", "run", "until_signalled", "where"]

out = Console()
err = Console(stderr=True)
T = TypeVar("T")


def run(work: Callable[[Hub], Awaitable[T]], *, migrate: bool = True, attempts: int = 1) -> T:
    """Build the hub (with the connectors' fan-out and the installed subscribers), bring
    its schema up to date, run ``work``, close.

    A database that cannot be reached or used ends the command with one line saying
    why (exit code 1), not a traceback — after ``attempts`` tries, half a second apart.
    Only read-only ``work`` may ask for more than one: a connection cut mid-way (a
    database restart, a failover, an operator's ``pg_terminate_backend``) is worth
    another look, but a write that may have committed is not worth a second one.
    """
    settings = Settings()
    for _ in range(attempts - 1):
        try:
            return _run(settings, work, migrate)
        except (OSError, SQLAlchemyError):
            time.sleep(0.5)
    try:
        return _run(settings, work, migrate)
    except (OSError, SQLAlchemyError) as error:
        err.print(f"[red]hub:[/] {escape(database_trouble(error, settings))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _run(settings: Settings, work: Callable[[Hub], Awaitable[T]], migrate: bool) -> T:

    async def main() -> T:
        hub = build(settings, subscribers=default_subscribers(settings))
        try:
            if migrate and hub.settings.migrate_on_start:
                await hub.migrate()
            return await work(hub)
        finally:
            await hub.close()

    return asyncio.run(main())


def log_to_stderr(settings: Settings) -> None:
    """Show the hub's own log lines (at ``HUB_LOG_LEVEL``), the libraries' from warnings up.

    Without this only warnings reach the operator, who then cannot tell the relay that
    leads from one standing by, or see a standby take over.
    """
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    logging.getLogger("hub").setLevel(level)
    # Which consumer joined which group, who leads it, what each member was given: the
    # first thing to read when a Kafka consumer group stops delivering.
    logging.getLogger("aiokafka.consumer.group_coordinator").setLevel(level)
    _dump_tasks_on_sigusr1()


def _dump_tasks_on_sigusr1() -> None:
    """``kill -USR1 <pid>`` logs where each of the process's asyncio tasks is waiting.

    A hub process that is alive but does nothing (a consumer that hands nothing over, a
    handler that never returns) says so no other way.
    """
    if not hasattr(signal, "SIGUSR1"):
        return

    def dump(_signal: int, _frame: object) -> None:
        try:
            loop = asyncio.get_running_loop()  # the handler runs on the loop's thread, between steps
        except RuntimeError:
            return
        text = io.StringIO()
        for task in sorted(asyncio.all_tasks(loop), key=lambda task: task.get_name()):
            task.print_stack(limit=25, file=text)
        logging.getLogger("hub.tasks").warning("asyncio tasks (SIGUSR1):\n%s", text.getvalue())

    with contextlib.suppress(ValueError):  # not the main thread (a test's CLI runner): no dump
        signal.signal(signal.SIGUSR1, dump)


def until_signalled() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, for long-running commands to stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def where(settings: Settings) -> str:
    """The database URL, safe to print."""
    return make_url(settings.database_url).render_as_string(hide_password=True)


def database_trouble(error: OSError | SQLAlchemyError, settings: Settings) -> str:
    """Say what went wrong with the database in words an operator can act on."""
    where_ = where(settings)
    detail = str(getattr(error, "orig", None) or error).splitlines()[0]
    if isinstance(error, OSError):
        return f"cannot reach the database at {where_}: {detail}"
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"the database at {where_} has no hub schema ({detail}); run `hub migrate` first"
    if detail.startswith("database") and "does not exist" in detail:
        return f"{detail} at {where_}; create it first (e.g. `createdb NAME`)"
    return f"database error at {where_}: {detail}"
