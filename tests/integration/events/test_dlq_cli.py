"""``hub dlq list | retry ID | drop ID``: an operator re-drives dead letters from the shell.

``hub dlq retry`` hands the letter to its subscriber in the command's own process, so
the command must run that subscriber: it runs the installed ones (entry points). The
test's subscriber is installed by patching that lookup, with the command run in-process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.config import Settings
from hub.outbox import deadletters
from tests.integration.events.support import (
    Recorder,
    applied,
    emit_products,
    event_hub,
    eventually,
    running,
    settings_for,
    unique,
)
from tests.integration.events.test_dead_letters import insert_poison

HUB = str(Path(sys.executable).with_name("hub"))


async def _park(settings: Settings, shop: Recorder) -> tuple[int, int, str]:
    """A failing event and a poison row parked as dead letters: (failed id, poison id, failed event)."""
    async with event_hub(settings, shop.subscriber()) as hub:
        async with running(hub) as runtime:
            [bad] = await emit_products(hub, 1, keys=1, prefix="BAD")
            poison = (await insert_poison(hub))["unknown type"]

            async def parked() -> bool:
                return len(await deadletters.list_letters(hub.db)) == 4

            await eventually(parked, "four dead letters", alive=[runtime])
        letters = {letter.event_id: letter.id for letter in await deadletters.list_letters(hub.db)}
        return letters[bad], letters[poison], bad


async def _effects(settings: Settings, shop: Recorder) -> list[str]:
    async with event_hub(settings) as hub:
        return [effect.event_id for effect in await applied(hub.db, shop.name)]


def test_hub_dlq_lists_retries_and_drops_dead_letters(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shop = Recorder(unique("shop"), failing={"BAD-0"})
    settings = settings_for(database_url, consumer_max_attempts=2)
    failed, poison, bad_event = asyncio.run(_park(settings, shop))
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr("hub.cli._common.default_subscribers", lambda _settings: [shop.subscriber()])
    env = {
        "HUB_DATABASE_URL": database_url,
        "HUB_MIGRATE_ON_START": "0",
        "HUB_CONSUMER_MAX_ATTEMPTS": "2",
        "HUB_CONSUMER_RETRY_DELAY": "0.01",
        "COLUMNS": "250",
    }
    runner = CliRunner()

    def hub(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.output

    code, listing = hub("dlq", "list")
    assert code == 0
    rows = [line for line in listing.splitlines() if shop.name in line]
    assert len(rows) == 4 and all("pending" in row for row in rows)
    assert any(str(failed) in row and "HandlerDown" in row for row in rows)
    assert any(str(poison) in row and "product.exploded" in row for row in rows)

    code, said = hub("dlq", "retry", str(failed))
    assert code == 1 and f"dead letter {failed} failed again" in said and "HandlerDown" in said
    shop.failing.clear()  # the system behind BAD-0 is back
    code, said = hub("dlq", "retry", str(failed))
    assert (code, said.strip()) == (0, f"dead letter {failed}: applied")
    assert asyncio.run(_effects(settings, shop)) == [bad_event], "applied exactly once"
    code, said = hub("dlq", "retry", str(failed))
    assert code == 1 and "is retried, not pending" in said

    code, said = hub("dlq", "retry", str(poison))
    assert code == 1 and "unknown event type 'product.exploded'" in said
    code, said = hub("dlq", "drop", str(poison))
    assert (code, said.strip()) == (0, f"dead letter {poison} dropped")
    code, said = hub("dlq", "drop", str(poison))
    assert code == 1 and "is dropped, not pending" in said
    code, said = hub("dlq", "retry", "999999")
    assert code == 1 and "no dead letter with id 999999" in said

    code, listing = hub("dlq", "list", "--status", "all")
    statuses = {line.split()[1]: line for line in listing.splitlines() if shop.name in line}
    assert "retried" in statuses[str(failed)] and "dropped" in statuses[str(poison)]
    code, listing = hub("dlq", "list")
    assert len([line for line in listing.splitlines() if shop.name in line]) == 2
    code, said = hub("dlq", "list", "--status", "lost")
    assert code == 2 and "unknown status 'lost'" in said


def test_hub_dlq_as_a_separate_process_lists_letters_and_refuses_a_subscriber_it_does_not_run(
    database_url: str, tmp_path: Path
) -> None:
    shop = Recorder(unique("shop"), failing={"BAD-0"})
    failed, _poison, _bad = asyncio.run(_park(settings_for(database_url, consumer_max_attempts=1), shop))
    env = {**os.environ, "HUB_DATABASE_URL": database_url, "HUB_MIGRATE_ON_START": "0", "COLUMNS": "250"}

    listing = subprocess.run([HUB, "dlq", "list"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0, listing.stderr
    assert sum(shop.name in line for line in listing.stdout.splitlines()) == 4

    retry = subprocess.run(
        [HUB, "dlq", "retry", str(failed)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert retry.returncode == 1
    assert f"belongs to '{shop.name}', which this hub does not run" in " ".join(retry.stderr.split())
