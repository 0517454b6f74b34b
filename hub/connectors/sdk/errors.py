"""Connector errors, sorted by what the caller should do about them.

    ConnectorError                  base
    ├── RetriableAPIError           try again later: 429, 5xx, timeouts, resets
    │   ├── ThrottledError          the vendor's rate limit said no (``retry_after`` s)
    │   └── BudgetSpent             the instance's shared budget is spent ``until`` a time:
    │                               nothing was sent; the work waits, it is not retried now
    ├── FatalAPIError               retrying the same request cannot help: 4xx, bad payloads
    │   └── AuthenticationError     credentials refused (401, 403): fix the connector's config
    │       └── ReauthorizationRequired   the OAuth2 grant is gone (invalid_grant): the instance
    │                                     is parked as needs_reauth until new credentials come
    ├── WebhookRejected             a webhook failed its signature check; nothing was done
    └── ConfigurationError          the connector instance's config or mappings are wrong

Vendor and httpx exceptions never leave a connector: :func:`translate` turns them into
these at the boundary, so the sync engine and the event runtime decide on retries by
class alone (``retriable`` is False on everything that retrying cannot fix).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

__all__ = [
    "AuthenticationError",
    "BudgetSpent",
    "ConfigurationError",
    "ConnectorError",
    "FatalAPIError",
    "ReauthorizationRequired",
    "RetriableAPIError",
    "ThrottledError",
    "WebhookRejected",
    "for_response",
    "translate",
]


class ConnectorError(Exception):
    retriable = False


class RetriableAPIError(ConnectorError):
    retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        #: Seconds the vendor asked us to wait, when it said.
        self.retry_after = retry_after


class ThrottledError(RetriableAPIError):
    """Rate limited by the vendor."""


class BudgetSpent(RetriableAPIError):
    """A budget the vendor counts per account (e.g. calls a day) is spent until ``until``.

    Raised before anything is sent (see :mod:`hub.connectors.sdk.budgets`). The SDK's
    retry loop passes it on at once — waiting hours is not a retry — and the instance's
    worker parks the work until ``until`` without counting a failed attempt. A work
    handler that answers per-key errors lets it propagate: it concerns the instance,
    not the key.
    """

    def __init__(self, message: str, *, until: datetime, retry_after: float | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        self.until = until


class FatalAPIError(ConnectorError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthenticationError(FatalAPIError):
    """The vendor refused the credentials."""


class ReauthorizationRequired(AuthenticationError):
    """The vendor refused the instance's grant (``invalid_grant``: revoked, expired, or a
    refresh token already spent); only an operator giving new credentials helps."""


class WebhookRejected(ConnectorError):
    """A webhook's signature did not verify (or was missing)."""


class ConfigurationError(ConnectorError):
    """The instance's configuration or mappings cannot work."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    # RFC 9110 allows an HTTP-date too: wait until then.
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def for_response(response: httpx.Response, vendor: str) -> ConnectorError | None:
    """The error an HTTP response stands for, or None if it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    detail = f"{vendor} answered {status} to {response.request.method} {response.request.url.path}"
    body = response.text[:300].strip()
    if body:
        detail = f"{detail}: {body}"
    if status in (401, 403):
        return AuthenticationError(detail, status=status)
    if status == 429:
        return ThrottledError(detail, retry_after=_retry_after(response))
    if status >= 500 or status == 408:
        return RetriableAPIError(detail, retry_after=_retry_after(response))
    return FatalAPIError(detail, status=status)


def translate(error: httpx.HTTPError, vendor: str) -> ConnectorError:
    """An httpx transport error as a connector error (all are worth retrying)."""
    return RetriableAPIError(f"{vendor} unreachable: {type(error).__name__}: {error}")
