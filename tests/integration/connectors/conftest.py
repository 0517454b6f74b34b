"""The connector integration tests share the session's PostgreSQL database with the
migrations test, which compares its tables with the hub's own: tests here that run an
``event_hub`` (with its effects table) drop that table afterwards, as the event tests do."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.integration.events.support import drop_effects_table


@pytest.fixture(autouse=True)
def _no_effects_table_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    url = str(request.getfixturevalue("database_url")) if "database_url" in request.fixturenames else ""
    yield
    if url.startswith("postgresql"):
        asyncio.run(drop_effects_table(url))
