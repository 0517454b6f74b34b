"""The hooks a connector's conformance test implements: how to reach a fake of the vendor
and make it misbehave. Each says what it must do; *required* ones raise
NotImplementedError until implemented, the others default to "the connector has no
such thing"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
import pytest

from hub.connectors.sdk.base import Connector
from hub.connectors.sdk.ports import ConnectorUnitOfWorks
from hub.connectors.sdk.testing.faults import FaultyTransport

__all__ = ["ConformanceHooks"]


class ConformanceHooks:
    """What :class:`ConnectorConformance` asks of a connector's test; override them there."""

    #: The connector type under test.
    connector: ClassVar[type[Connector[Any, Any]]]
    #: The id of the instance the tests add.
    instance_id: ClassVar[str] = "conformance"

    @pytest.fixture
    def vendor(self) -> Any:
        """*Required.* The fake vendor: a simulator, a respx router, … Override with a
        fixture (it may be async, and yield to clean up). Every other hook receives it."""
        raise NotImplementedError(f"{type(self).__name__} must provide the vendor fixture")

    def vendor_transport(self, vendor: Any) -> httpx.AsyncBaseTransport:
        """*Required.* How HTTP reaches the vendor, e.g. ``httpx.ASGITransport(app)`` or
        ``httpx.MockTransport(router.handler)``; the kit puts its faults in front."""
        raise NotImplementedError(f"{type(self).__name__} must implement vendor_transport()")

    def valid_config(self, vendor: Any) -> dict[str, Any]:
        """*Required.* A config that works against the vendor (base URL included)."""
        raise NotImplementedError(f"{type(self).__name__} must implement valid_config()")

    def valid_mappings(self, vendor: Any) -> dict[str, Any]:
        """*Required.* Mappings naming the vendor's records and those :meth:`seed` adds to the hub."""
        raise NotImplementedError(f"{type(self).__name__} must implement valid_mappings()")

    def bad_credentials(self, config: dict[str, Any]) -> dict[str, Any]:
        """*Required.* ``config`` with credentials the vendor refuses."""
        raise NotImplementedError(f"{type(self).__name__} must implement bad_credentials()")

    def invalid_values(self) -> dict[str, Any]:
        """Config field → a value the config model must refuse (a malformed URL …).
        Missing required fields and unknown keys are tried anyway."""
        return {}

    async def seed(self, vendor: Any, uows: ConnectorUnitOfWorks) -> None:
        """Records on both sides before the instance is added: what the mappings name in
        the hub (warehouses …), and data that differs between hub and vendor, so the
        first reconciliation has something to write."""
        return None

    def add_vendor_records(self, vendor: Any) -> None:
        """New records at the vendor for the streams to read past their cursors (a new
        order …). Called before reading; each call must add records newer than the last."""
        return None

    async def read_records(self, connector: Connector[Any, Any]) -> dict[str, list[Any]]:
        """*Required.* Every record each stream reads from the vendor, as the vendor sent
        it, by stream name (with :meth:`seed` and :meth:`add_vendor_records`, none is empty)."""
        raise NotImplementedError(f"{type(self).__name__} must implement read_records()")

    def parse_record(self, stream: str, record: Any) -> object:
        """*Required.* ``record`` as the connector's own model (the mapping it takes in);
        raise if it does not fit."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_record()")

    def throttle(self, vendor: Any) -> bool:
        """Make the vendor's own rate limit refuse the next request (Shopify: an empty
        cost bucket, answered ``THROTTLED``). False: HTTP 429 is all the vendor does,
        which the kit tests anyway."""
        return False

    def loop_pagination(self, vendor: Any, faults: FaultyTransport) -> bool:
        """*Required.* Make every paged list answer the same next-page token forever — the
        vendor's own way, or by setting ``faults.rewrite``. False: nothing is paged."""
        raise NotImplementedError(f"{type(self).__name__} must implement loop_pagination()")

    def work_item(self, vendor: Any) -> tuple[str, str]:
        """*Required if the connector has queued work.* A (kind, key) of work that calls the vendor."""
        raise NotImplementedError(f"{type(self).__name__} must implement work_item()")

    async def signed_webhook(self, vendor: Any) -> tuple[Mapping[str, str], bytes]:
        """*Required if the connector takes webhooks.* Headers and raw body of a delivery
        the vendor signed."""
        raise NotImplementedError(f"{type(self).__name__} must implement signed_webhook()")

    async def badly_signed_webhook(self, vendor: Any) -> tuple[Mapping[str, str], bytes]:
        """*Required if the connector takes webhooks.* One signed with the wrong secret."""
        raise NotImplementedError(f"{type(self).__name__} must implement badly_signed_webhook()")
