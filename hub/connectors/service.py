"""Connector instances: adding and updating (validated, credentials checked, stored
encrypted), listing, showing their status, removing, and building the live connector.

Nothing is stored unless the config validates, the mappings name records that exist,
the channel's allocation does not promise stock other channels already hold, and the
vendor accepted the credentials.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import typing
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError

from hub.connectors.registry import connector_type, connector_types
from hub.connectors.sdk.base import Connector, ConnectorEnv
from hub.connectors.sdk.capabilities import missing_capabilities
from hub.connectors.sdk.errors import AuthenticationError, ConnectorError, FatalAPIError, RetriableAPIError
from hub.connectors.sdk.secrets import SecretBox
from hub.connectors.staging import StagedCredentials
from hub.core.channels import ChannelAllocation, overcommitted
from hub.core.errors import Conflict, InvalidInput, NotFound
from hub.db.connectors import InstanceRow, SqlConnectorInstances
from hub.db.credentials import reseal
from hub.db.engine import Database
from hub.db.uow import UnitOfWorkFactory

__all__ = ["ConnectorService", "ConnectorSpec", "UpstreamUnavailable"]

ModelT = TypeVar("ModelT", bound=BaseModel)


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


def _validated(model: type[ModelT], data: Mapping[str, Any], prefix: str) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _field_error(error, prefix) from error


#: How a secret is shown (``masked``): sent back unchanged, it means "keep it".
MASK = "**********"


def _secret_fields(model: type[BaseModel]) -> list[str]:
    return [
        name
        for name, info in model.model_fields.items()
        if info.annotation is SecretStr or SecretStr in typing.get_args(info.annotation)
    ]


def _keeping_secrets(model: type[BaseModel], given: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """``given``, with the secrets it leaves out or sends masked taken from ``stored``."""
    data = dict(given)
    for name in _secret_fields(model):
        if (name not in data or data[name] == MASK) and name in stored:
            data[name] = stored[name]
    return data


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
        config = _validated(cls.config_model, spec.config, "config")
        mappings = _validated(cls.mappings_model, spec.mappings, "mappings")
        staged = StagedCredentials(self.env.uows)
        connector = cls(spec.id, config, mappings, dataclasses.replace(self.env, uows=staged))
        await self._check(connector)
        async with self.uows() as uow:
            instances = self._instances(uow.session)
            if await instances.get(spec.id) is not None:
                raise Conflict(f"connector {spec.id} already exists", field="id")
            await instances.add(spec.id, spec.type, self._box().seal(reveal(config)), mappings.model_dump(mode="json"))
            await uow.credentials.replace(spec.id, staged.secrets)
            await connector.prepare(uow)
            await uow.commit()
            row = await instances.get(spec.id)
        assert row is not None
        if self.on_change is not None:
            self.on_change()
        return row

    async def update(
        self, connector_id: str, config: Mapping[str, Any] | None = None, mappings: Mapping[str, Any] | None = None
    ) -> InstanceRow:
        """Replace the config and/or the mappings, checked as :meth:`add` checks them.

        A secret the new config leaves out (or sends back masked, as shown) keeps its
        stored value. New credentials replace the tokens the instance stored since and
        make a ``needs_reauth`` instance ``active`` again."""
        row = await self.instance(connector_id)
        cls = self._type(row)
        stored = self._box().open(row.config)
        data = stored if config is None else _keeping_secrets(cls.config_model, config, stored)
        config_ = _validated(cls.config_model, data, "config")
        mappings_ = _validated(cls.mappings_model, row.mappings if mappings is None else mappings, "mappings")
        new_credentials = any(
            reveal(config_).get(name) != stored.get(name) for name in _secret_fields(cls.config_model)
        )
        # Credentials unchanged: the instance's own stored tokens serve the check.
        staged = StagedCredentials(self.env.uows) if new_credentials else None
        env = self.env if staged is None else dataclasses.replace(self.env, uows=staged)
        connector = cls(connector_id, config_, mappings_, env)
        await self._check(connector)
        async with self.uows() as uow:
            instances = self._instances(uow.session)
            status = "active" if new_credentials else None
            sealed = self._box().seal(reveal(config_))
            if not await instances.update(connector_id, sealed, mappings_.model_dump(mode="json"), status=status):
                raise NotFound(f"connector {connector_id} does not exist")
            if staged is not None:
                await uow.credentials.replace(connector_id, staged.secrets)
            # Not prepare(): that starts an instance (its cursors from now), once.
            await uow.commit()
            updated = await instances.get(connector_id)
        assert updated is not None
        if self.on_change is not None:
            self.on_change()
        return updated

    async def _check(self, connector: Connector[Any, Any]) -> None:
        """Mappings against the hub and the vendor, the channel's share, the credentials."""
        cls = type(connector)
        try:
            missing = missing_capabilities(connector)
            if missing:
                # The type's fault, not the request's: say so plainly, store nothing.
                raise InvalidInput(f"the {cls.title} connector is incomplete: " + "; ".join(missing), field="type")
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

    # -- the secret key ----------------------------------------------------------------------

    async def rotate_secrets(self) -> tuple[int, int]:
        """Re-encrypt what older keys sealed with ``HUB_SECRET_KEY`` (one transaction);
        answers (re-encrypted, stored in all). Running it again re-encrypts nothing."""
        async with self.uows() as uow:
            counts = await reseal(uow.session, self._box())
            await uow.commit()
        self._allocations.clear()
        return counts
