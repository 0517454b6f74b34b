"""The PostgreSQL database of a contract run: the session's own, emptied first."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import _empty_postgres


@pytest.fixture
def database_url_postgres(postgres_url: str) -> str:
    asyncio.run(_empty_postgres(postgres_url))
    return postgres_url
