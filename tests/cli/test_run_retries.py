"""A read-only check a command makes first survives a connection cut mid-way.

Found by the fault harness (bench/faults.py, PostgreSQL): ``hub serve`` reads the API
keys before it starts (to advise creating one); when ``pg_terminate_backend`` cut that
connection, the server gave up at once — exit 1, "cannot switch to state 11; another
operation (2) is in progress" — instead of starting. It now looks again (3 tries); a
database that stays unusable still ends with one line and exit code 1.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer
from sqlalchemy.exc import OperationalError

from hub.bootstrap import Hub
from hub.cli._common import run


def _cut() -> OperationalError:
    return OperationalError(
        "SELECT api_keys.id FROM api_keys", {}, Exception("terminating connection due to administrator command")
    )


@pytest.fixture(autouse=True)
def _database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("HUB_MIGRATE_ON_START", "0")


def test_a_read_only_check_looks_again_after_a_connection_cut() -> None:
    tries: list[int] = []

    async def keys(hub: Hub) -> Any:
        tries.append(1)
        if len(tries) == 1:
            raise _cut()
        return await hub.keys.list()

    assert run(keys, attempts=3) == []
    assert len(tries) == 2


def test_a_database_that_stays_unusable_ends_the_command_with_one_line() -> None:
    tries: list[int] = []

    async def broken(_hub: Hub) -> None:
        tries.append(1)
        raise _cut()

    with pytest.raises(typer.Exit) as exit_:
        run(broken, attempts=3)
    assert exit_.value.exit_code == 1 and len(tries) == 3


def test_work_is_tried_once_unless_it_asks_for_more() -> None:
    tries: list[int] = []

    async def write(_hub: Hub) -> None:
        tries.append(1)
        raise _cut()

    with pytest.raises(typer.Exit):
        run(write)
    assert len(tries) == 1
