"""A PostgreSQL database for a fault day: the session's, emptied (the day migrates it itself)."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import _empty_postgres


@pytest.fixture
def postgres_db(postgres_url: str) -> str:
    asyncio.run(_empty_postgres(url := postgres_url))
    return url
