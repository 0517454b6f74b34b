"""The base every connector builds on: what it declares and the hooks the hub calls.

A connector *type* (a subclass registered under the ``hub.connectors`` entry point
group) declares its ``config_model`` (credentials as ``SecretStr``, base URL
configurable), ``mappings_model`` and ``capabilities``. A connector *instance* is one
account of that system with its config and mappings; the hub builds a connector object
per instance and calls, as its capabilities say:

    check()            credentials work (raises AuthenticationError …)
    discover()         what the account has: locations, tax codes, accounts …
    reconcilers()      per entity, the desired-vs-actual reconciliation (hub.sync)
    subscribers()      event handlers: a hub change → a write over there
    poll()             the scheduled safety net: pull what webhooks may have missed
    webhook_verify() / webhook_handle()   push deliveries from the vendor

Handlers are level-triggered: whatever triggers them, they read the current canonical
state and write only the difference, so running anything twice is harmless.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict

from hub.connectors.sdk.errors import ConfigurationError
from hub.connectors.sdk.webhooks import WebhookDelivery

if TYPE_CHECKING:
    from hub.db.engine import Database
    from hub.db.uow import UnitOfWorkFactory
    from hub.outbox.subscribers import Subscriber
    from hub.sync.engine import Reconciler

__all__ = ["Capability", "Connector", "ConnectorConfig", "ConnectorEnv", "ConnectorMappings"]


class Capability(StrEnum):
    ORDERS_IN = "orders_in"
    STOCK_OUT = "stock_out"
    STOCK_IN = "stock_in"
    SHIPMENTS_OUT = "shipments_out"
    INVOICES_OUT = "invoices_out"
    PAYMENTS_IN = "payments_in"
    PRODUCTS_IN = "products_in"


class ConnectorConfig(BaseModel):
    """Base of config models: unknown keys are refused so typos surface at once."""

    model_config = ConfigDict(extra="forbid")


class ConnectorMappings(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class ConnectorEnv:
    """What the hub lends a connector instance."""

    db: Database
    uows: UnitOfWorkFactory
    #: Tests and simulators route the connector's HTTP here (None: the real network).
    transport: httpx.AsyncBaseTransport | None = None
    #: Per-instance state that must outlive one connector object (rate limiters).
    shared: dict[str, Any] = field(default_factory=dict)


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)
MappingsT = TypeVar("MappingsT", bound=ConnectorMappings)


class Connector(ABC, Generic[ConfigT, MappingsT]):
    #: The ``type`` of instances in the API ("shopify").
    type_name: ClassVar[str]
    title: ClassVar[str]
    config_model: ClassVar[type[ConnectorConfig]]
    mappings_model: ClassVar[type[ConnectorMappings]]
    capabilities: ClassVar[frozenset[Capability]]

    def __init__(self, id: str, config: ConfigT, mappings: MappingsT, env: ConnectorEnv) -> None:
        self.id, self.config, self.mappings, self.env = id, config, mappings, env

    @classmethod
    def from_stored(
        cls, id: str, config: Mapping[str, Any], mappings: Mapping[str, Any], env: ConnectorEnv
    ) -> Connector[Any, Any]:
        """Build from plain dicts (validates both; raises pydantic's ValidationError)."""
        config_ = cls.config_model.model_validate(config)
        mappings_ = cls.mappings_model.model_validate(mappings)
        return cls(id, config_, mappings_, env)  # type: ignore[arg-type]  # the subclass's own models

    # -- what every connector answers -----------------------------------------------------

    @abstractmethod
    async def check(self) -> None:
        """Prove the credentials work (raise :class:`AuthenticationError` otherwise)."""

    async def discover(self) -> dict[str, Any]:
        """What the external account holds that mappings refer to (locations, accounts …)."""
        return {}

    def reconcilers(self) -> dict[str, Reconciler]:
        return {}

    def subscribers(self) -> list[Subscriber]:
        return []

    async def poll(self) -> None:
        """Pull what push deliveries may have missed (called on the instance's schedule)."""
        return None

    async def validate_mappings(self) -> list[str]:
        """Problems with the mappings against the hub's records (unknown warehouses …)."""
        return []

    # -- webhooks ------------------------------------------------------------------------------

    def webhook_verify(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Check the signature and parse; raise :class:`WebhookRejected` if it fails."""
        raise ConfigurationError(f"{self.type_name} connectors take no webhooks")

    async def webhook_handle(self, delivery: WebhookDelivery) -> None:
        raise ConfigurationError(f"{self.type_name} connectors take no webhooks")

    async def aclose(self) -> None:
        return None
