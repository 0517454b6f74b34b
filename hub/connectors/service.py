"""Connector instances: adding (validated, credentials checked, stored encrypted),
listing, showing their status, removing, and building the live connector object.

Nothing is stored unless the config validates, the mappings name records that exist,
the channel's allocation does not promise stock other channels already hold, and the
vendor accepted the credentials.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from hub.connectors.registry import connector_type, connector_types
from hub.connectors.sdk.base import Connector, ConnectorEnv
from hub.connectors.sdk.errors import AuthenticationError, ConnectorError, FatalAPIError, RetriableAPIError
from hub.connectors.sdk.secrets import SecretBox
from hub.core.channels import ChannelAllocation, overcommitted
from hub.core.errors import Conflict, InvalidInput, NotFound
from hub.db.connectors import InstanceRow, SqlConnectorInstances
from hub.db.engine import Database
from hub.db.uow import UnitOfWorkFactory

__all__ = ["ConnectorService", "ConnectorSpec", "UpstreamUnavailable"]


class UpstreamUnavailable(ConnectorError):
    """The vendor could not be reached to check the credentials (HTTP 502)."""


@dataclass(frozen=True)
class ConnectorSpec:
    id: str
    type: str
    config: Mapping[str, Any]
    mappings: Mapping[str, Any]


def _field_error(error: ValidationError, prefix: str) -> InvalidInput:
    first = error.errors()[0]
    path = prefix
    for part in first.get("loc", ()):
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return InvalidInput(f"{path}: {first.get('msg', 'invalid')}", field=path)


def reveal(model: BaseModel) -> dict[str, Any]:
    """A config as plain data with its secrets in the clear (for sealing only)."""
    data = model.model_dump(mode="python")
    for name, value in data.items():
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
        elif isinstance(value, Decimal):
            data[name] = str(value)
    return data


def masked(model: BaseModel) -> dict[str, Any]:
    """A config fit to show: secrets replaced by asterisks."""
    return model.model_dump(mode="json")


class ConnectorService:
    def __init__(
        self,
        env: ConnectorEnv,
        box: Callable[[], SecretBox],
        *,
        db: Database,
        uows: UnitOfWorkFactory,
        on_change: Callable[[], None] | None = None,
    ):
        # env is what connectors are lent (ports only); db and uows are the service's own.
        self.env, self._box, self.on_change = env, box, on_change
        self.db, self.uows = db, uows
        self._allocations: dict[str, tuple[tuple[str, str, str], ChannelAllocation | None]] = {}

    def _instances(self, session: Any) -> SqlConnectorInstances:
        return SqlConnectorInstances(session)

    # -- building ------------------------------------------------------------------------

    def config_of(self, row: InstanceRow) -> BaseModel | None:
        """The instance's config, decrypted and validated (None if its type is gone)."""
        cls = connector_type(row.type)
        return None if cls is None else cls.config_model.model_validate(self._box().open(row.config))

    async def allocation_of(self, row: InstanceRow) -> ChannelAllocation | None:
        """The instance's channel allocation (None: it does not sell stock).

        Remembered per instance for as long as its stored type, config and mappings stay
        the same — what the allocation is made from — so a storefront polling a channel's
        stock does not decrypt and validate the config on every request."""
        made_from = (row.type, row.config, json.dumps(row.mappings, sort_keys=True, default=str))
        known = self._allocations.get(row.id)
        if known is not None and known[0] == made_from:
            return known[1]
        allocation = self._allocation(row)
        self._allocations[row.id] = (made_from, allocation)
        return allocation

    def _allocation(self, row: InstanceRow) -> ChannelAllocation | None:
        # From the type and the mappings alone: no config to decrypt, nothing to build.
        cls = self._type(row)
        return cls.allocation(cls.mappings_model.model_validate(row.mappings))

    def _type(self, row: InstanceRow) -> type[Connector[Any, Any]]:
        cls = connector_type(row.type)
        if cls is None:
            raise InvalidInput(f"connector type {row.type!r} is not installed", field="type")
        return cls

    def build(self, row: InstanceRow) -> Connector[Any, Any]:
        """The live connector (HTTP clients …); the caller closes it — prefer :meth:`live`."""
        return self._type(row).from_stored(row.id, self._box().open(row.config), row.mappings, self.env)

    @contextlib.asynccontextmanager
    async def live(self, row: InstanceRow) -> AsyncIterator[Connector[Any, Any]]:
        """The live connector of an instance, closed however the block ends."""
        connector = self.build(row)
        try:
            yield connector
        finally:
            await connector.aclose()

    async def instance(self, connector_id: str) -> InstanceRow:
        async with self.uows.reader() as uow:
            row = await self._instances(uow.session).get(connector_id)
        if row is None:
            raise NotFound(f"connector {connector_id} does not exist")
        return row

    async def load(self, connector_id: str) -> Connector[Any, Any]:
        """The live connector of ``connector_id``; the caller closes it — prefer :meth:`live`."""
        return self.build(await self.instance(connector_id))

    async def rows(self) -> list[InstanceRow]:
        async with self.uows.reader() as uow:
            return await self._instances(uow.session).list()

    # -- adding and removing --------------------------------------------------------------

    async def add(self, spec: ConnectorSpec) -> InstanceRow:
        cls = connector_type(spec.type)
        if cls is None:
            known = ", ".join(sorted(connector_types())) or "none"
            raise InvalidInput(f"unknown connector type {spec.type!r} (installed: {known})", field="type")
        try:
            config = cls.config_model.model_validate(spec.config)
        except ValidationError as error:
            raise _field_error(error, "config") from error
        try:
            mappings = cls.mappings_model.model_validate(spec.mappings)
        except ValidationError as error:
            raise _field_error(error, "mappings") from error
        connector = cls(spec.id, config, mappings, self.env)
        try:
            problems = await connector.validate_mappings()
            if problems:
                raise InvalidInput("; ".join(problems), field="mappings")
            await self._check_allocation(connector)
            await connector.check()
        except AuthenticationError as error:
            raise InvalidInput(f"{cls.title} refused the credentials: {error}", field="config") from error
        except RetriableAPIError as error:
            raise UpstreamUnavailable(f"{cls.title} could not be reached to check the credentials: {error}") from error
        except FatalAPIError as error:
            raise InvalidInput(f"{cls.title} rejected the check: {error}", field="config") from error
        finally:
            await connector.aclose()
        async with self.uows() as uow:
            instances = self._instances(uow.session)
            if await instances.get(spec.id) is not None:
                raise Conflict(f"connector {spec.id} already exists", field="id")
            await instances.add(spec.id, spec.type, self._box().seal(reveal(config)), mappings.model_dump(mode="json"))
            await connector.prepare(uow)
            await uow.commit()
            row = await instances.get(spec.id)
        assert row is not None
        if self.on_change is not None:
            self.on_change()
        return row

    async def _check_allocation(self, connector: Connector[Any, Any]) -> None:
        mine = connector.allocation(connector.mappings)
        if mine is None:
            return
        channels = [(connector.id, mine)]
        for row in await self.rows():
            if row.id == connector.id or connector_type(row.type) is None:
                continue
            other = self._allocation(row)
            if other is not None:
                channels.append((row.id, other))
        skus = {sku for _, allocation in channels for sku in allocation.overrides}
        findings = overcommitted(channels, skus)
        if findings:
            raise InvalidInput(
                "channels sharing stock could together oversell it: " + "; ".join(findings),
                field="mappings.allocation.percent",
            )

    async def remove(self, connector_id: str) -> None:
        async with self.uows() as uow:
            if not await self._instances(uow.session).delete(connector_id):
                raise NotFound(f"connector {connector_id} does not exist")
            await uow.commit()
        if self.on_change is not None:
            self.on_change()
