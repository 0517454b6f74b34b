"""A connector type must provide what its capabilities declare: the hub refuses to add an
instance of one that does not (422 naming ``type``, nothing stored), and the kit fails it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.connectors.registry import connector_types
from hub.connectors.sdk.base import Capability, Connector, ConnectorConfig
from hub.connectors.sdk.capabilities import missing_capabilities
from hub.connectors.sdk.channels import ChannelMappings
from hub.connectors.service import ConnectorSpec
from hub.core.errors import InvalidInput


class HollowStore(Connector[ConnectorConfig, ChannelMappings]):
    """Says it pushes stock, listens to nothing and has no work: a scaffold left half done."""

    type_name: ClassVar[str] = "hollow_store"
    title: ClassVar[str] = "Hollow Store"
    config_model = ConnectorConfig
    mappings_model = ChannelMappings
    capabilities = frozenset({Capability.STOCK_OUT, Capability.ORDERS_IN})

    async def check(self) -> None:
        return None


@pytest.fixture
async def hub(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Hub]:
    monkeypatch.setitem(connector_types(), HollowStore.type_name, HollowStore)
    built = build(Settings(database_url=sqlite_url, migrate_on_start=False, secret_key="k", _env_file=None))  # type: ignore[call-arg]
    try:
        yield built
    finally:
        await built.close()


async def test_an_instance_of_a_type_that_lacks_what_it_declares_is_refused(hub: Hub) -> None:
    spec = ConnectorSpec("hollow", HollowStore.type_name, {}, {"locations": {"1": "MAIN"}})
    with pytest.raises(InvalidInput) as refused:
        await hub.connectors.add(spec)
    assert refused.value.field == "type"
    message = str(refused.value)
    for missing in ("stock.level_changed", "'stock' work", "'stock' reconciliation", "orders_in"):
        assert missing in message, message
    assert await hub.connectors.rows() == []


def test_what_is_missing_is_said_per_capability(hub: Hub) -> None:
    connector: Any = HollowStore(
        "hollow", ConnectorConfig(), ChannelMappings(locations={"1": "MAIN"}), hub.connectors.env
    )
    assert [line.split(":")[0] for line in missing_capabilities(connector)] == [
        "orders_in",
        "stock_out",
        "stock_out",
        "stock_out",
    ]
