from __future__ import annotations

import pytest

from tests.fakes import FakeStore
from tests.unit.support import seed


@pytest.fixture
async def store() -> FakeStore:
    """A store with two warehouses, a supplier, two customers and three products."""
    store = FakeStore()
    await seed(store)
    return store
