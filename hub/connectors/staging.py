"""Credentials a connector stores while it is checked, kept aside until it is saved.

Adding an instance, or giving one new credentials, checks them with the vendor first.
For an OAuth2 vendor that check refreshes — and so spends the refresh token it was
given and answers a new one, which must not be lost, yet must not be stored before the
instance is (it may still be refused) nor over the tokens of the instance as it runs.
The connector checked is lent units of work whose ``credentials`` port keeps what it
stores in memory; the service then stores it in the transaction that saves the instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from hub.connectors.sdk.ports import ConnectorUnitOfWork, ConnectorUnitOfWorks

__all__ = ["StagedCredentials"]


class StagedCredentials:
    """Units of work like ``uows``'s, but whose credentials stay here (in :attr:`secrets`)."""

    def __init__(self, uows: ConnectorUnitOfWorks) -> None:
        self._uows = uows
        #: What the connector stored last (None: nothing).
        self.secrets: dict[str, Any] | None = None
        #: Why the vendor refused the grant, if it did.
        self.refused: str | None = None
        self._lock = asyncio.Lock()

    def __call__(self) -> ConnectorUnitOfWork:
        return _StagedUnitOfWork(self._uows(), self)

    def reader(self) -> ConnectorUnitOfWork:
        return _StagedUnitOfWork(self._uows.reader(), self)

    # -- the credentials port ----------------------------------------------------------------

    async def lock(self, connector_id: str) -> None:
        return None  # one connector, checked once: nobody to wait for

    async def get(self, connector_id: str) -> dict[str, Any] | None:
        return None if self.secrets is None else dict(self.secrets)

    async def put(self, connector_id: str, secrets: Mapping[str, Any]) -> None:
        self.secrets = dict(secrets)

    async def needs_reauth(self, connector_id: str, reason: str) -> None:
        self.refused = reason


class _StagedUnitOfWork:
    def __init__(self, inner: ConnectorUnitOfWork, staged: StagedCredentials) -> None:
        self._inner, self.credentials = inner, staged

    async def __aenter__(self) -> _StagedUnitOfWork:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
