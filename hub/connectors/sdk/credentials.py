"""The credentials port: an instance's tokens that change while it runs.

A connector whose vendor rotates its grant (OAuth2 refresh tokens: Xero, QuickBooks,
Amazon) stores each new token set here, in the unit of work that refreshed it, so a
refresh token once spent is never the only one known. The config an operator gave
(client id and secret, the first refresh token) stays as it was; what is stored here
supersedes its tokens until new credentials are given (``PATCH /v1/connectors/{id}``).

    async with env.uows() as uow:                     # a write unit of work
        await uow.credentials.lock(connector_id)      # other processes wait here …
        tokens = await uow.credentials.get(connector_id)
        … refresh with tokens["refresh_token"] …
        await uow.credentials.put(connector_id, new_tokens)
        await uow.commit()                            # … until this commit

:mod:`hub.connectors.sdk.oauth` does exactly that; most connectors use it rather than
this port.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["CredentialStore"]


class CredentialStore(Protocol):
    async def lock(self, connector_id: str) -> None:
        """Hold the instance's credentials until this unit of work ends: another unit of
        work, in this process or another, waits in ``lock`` until then (a write unit of
        work only)."""
        ...

    async def get(self, connector_id: str) -> dict[str, Any] | None:
        """The tokens last stored, decrypted (None: none yet — the config's own hold)."""
        ...

    async def put(self, connector_id: str, secrets: Mapping[str, Any]) -> None:
        """Store new tokens (encrypted), replacing the old, within this unit of work."""
        ...

    async def needs_reauth(self, connector_id: str, reason: str) -> None:
        """The vendor refused the instance's grant: mark it ``needs_reauth`` (its worker
        parks its queued work) until an operator gives new credentials."""
        ...
