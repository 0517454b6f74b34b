"""The base every connector builds on: what it declares and the hooks the hub calls.

A connector *type* (a subclass registered under the ``hub.connectors`` entry point
group) declares its ``config_model`` (credentials as ``SecretStr``, base URL
configurable), ``mappings_model`` and ``capabilities``; what follows from those alone
is answered by classmethods, without I/O and without building anything:

    allocation(mappings)                     the channel's share of stock (storefronts)
    triggered(event, id, mappings, uow)      the work a hub event gives an instance

A connector *instance* is one account of that system with its config and mappings.
Only where the hub talks to the vendor does it build the *live* connector (HTTP
clients, work, reconcilers) — ``ConnectorService.live(row)``, which always closes it —
and call, as its capabilities say:

    check()            credentials work (raises AuthenticationError …)
    discover()         what the account has: locations, tax codes, accounts …
    reconcilers()      per entity, the desired-vs-actual reconciliation (hub.sync), run on
                       start, on ``schedule()`` and by ``hub reconcile``
    work()             queued work: hub changes enqueue keys (a SKU, a shipment), the
                       instance's worker hands them over in batches
    triggers()         which hub events enqueue which work, for this instance
    webhook_verify() / webhook_handle()   push deliveries from the vendor

Handlers are level-triggered: whatever triggers them, they read the current canonical
state and write only the difference, so running anything twice is harmless.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict

from hub.connectors.sdk.budgets import BudgetStore, MemoryBudgets
from hub.connectors.sdk.errors import ConfigurationError
from hub.connectors.sdk.ratelimit import Clock, Sleep
from hub.connectors.sdk.webhooks import WebhookDelivery

if TYPE_CHECKING:
    from hub.connectors.sdk.ports import ChannelReads, ConnectorUnitOfWork, ConnectorUnitOfWorks
    from hub.core.channels import ChannelAllocation
    from hub.core.events import DomainEvent
    from hub.outbox.subscribers import Subscriber
    from hub.sync.plan import Reconciler

__all__ = ["Capability", "Connector", "ConnectorConfig", "ConnectorEnv", "ConnectorMappings", "Work"]


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

    #: Units of work on the hub's records and the connector's state (see sdk.ports).
    uows: ConnectorUnitOfWorks
    #: Tests and simulators route the connector's HTTP here (None: the real network).
    transport: httpx.AsyncBaseTransport | None = None
    #: Per-instance state that must outlive one connector object (rate limiters).
    shared: dict[str, Any] = field(default_factory=dict)
    #: The hub's currency, for documents that come without one.
    currency: str = "USD"
    #: The hub's stock as channels read it, on a fast path (None: read through ``uows``).
    reads: ChannelReads | None = None
    #: Budgets the vendor counts per account, shared by every process (see sdk.budgets);
    #: the hub lends its database's, a lone process and tests keep them in memory.
    budgets: BudgetStore = field(default_factory=MemoryBudgets)
    #: Wall-clock seconds and the way to wait, for the connector's limiters and budgets:
    #: a pacing test passes a fake (``FakeTime``) here instead of patching the connector.
    clock: Clock = time.time
    sleep: Sleep = asyncio.sleep


@dataclass(frozen=True)
class Work:
    """One kind of queued work: how many keys a batch takes, and the function doing a
    batch, which answers each key's error (None when done)."""

    batch: int
    handle: Callable[[list[str]], Awaitable[dict[str, str | None]]]
    #: Seconds to let more keys gather into a partial batch while changes come in bursts
    #: (a batch went out less than this ago); after a quiet spell a change goes at once.
    linger: float = 0.0
    #: Whether the vendor has room for a request now (its rate-limit budget): when it says
    #: so, a partial batch goes at once whatever the recent traffic — batching only pays
    #: when the budget is short. None: judge by recent traffic alone.
    room: Callable[[], bool] | None = None


ConfigT = TypeVar("ConfigT", bound=ConnectorConfig)
MappingsT = TypeVar("MappingsT", bound=ConnectorMappings)


class Connector(ABC, Generic[ConfigT, MappingsT]):
    #: The ``type`` of instances in the API ("shopify").
    type_name: ClassVar[str]
    title: ClassVar[str]
    config_model: ClassVar[type[ConnectorConfig]]
    mappings_model: ClassVar[type[ConnectorMappings]]
    capabilities: ClassVar[frozenset[Capability]]
    #: Hub event types that may give this connector work (see :meth:`triggered`).
    listens_to: ClassVar[frozenset[str]] = frozenset()

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

    @classmethod
    def allocation(cls, mappings: ConnectorMappings) -> ChannelAllocation | None:
        """The channel's share of the hub's stock, from the mappings alone (no I/O): a
        storefront's mappings are :class:`~hub.connectors.sdk.channels.ChannelMappings`,
        which say it; None for a connector that sells nothing."""
        from hub.connectors.sdk.channels import ChannelMappings  # that module builds on this one

        return mappings.channel() if isinstance(mappings, ChannelMappings) else None

    @classmethod
    async def triggered(
        cls, event: DomainEvent, connector_id: str, mappings: Mapping[str, Any], uow: ConnectorUnitOfWork
    ) -> dict[str, list[str]]:
        """The work (kind → keys) a hub event gives one instance; read-only use of ``uow``."""
        return {}

    # -- what every connector answers -----------------------------------------------------

    @abstractmethod
    async def check(self) -> None:
        """Prove the credentials work (raise :class:`AuthenticationError` otherwise)."""

    async def discover(self) -> dict[str, Any]:
        """What the external account holds that mappings refer to (locations, accounts …)."""
        return {}

    def reconcilers(self) -> dict[str, Reconciler]:
        return {}

    def schedule(self) -> dict[str, float]:
        """Seconds between scheduled reconciliations, by entity (e.g. orders every 60 s:
        the safety net under webhooks; stock hourly: drift repair)."""
        return {}

    def subscribers(self) -> list[Subscriber]:
        return []

    async def validate_mappings(self) -> list[str]:
        """Problems with the mappings against the hub's records (unknown warehouses …)."""
        return []

    async def prepare(self, uow: ConnectorUnitOfWork) -> None:
        """Set up hub records the instance needs, in the transaction that adds it."""
        return None

    def work(self) -> dict[str, Work]:
        """The kinds of queued work this connector does (see :mod:`hub.db.work_queue`)."""
        return {}

    # -- webhooks ------------------------------------------------------------------------------

    def webhook_verify(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Check the signature and parse; raise :class:`WebhookRejected` if it fails."""
        raise ConfigurationError(f"{self.type_name} connectors take no webhooks")

    async def webhook_handle(self, delivery: WebhookDelivery) -> None:
        raise ConfigurationError(f"{self.type_name} connectors take no webhooks")

    async def aclose(self) -> None:
        return None
