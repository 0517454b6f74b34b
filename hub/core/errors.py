"""Errors the core raises, sorted by what the caller should do about them.

    DomainError                 base; never raised itself
    ├── NotFound                the record named in the request does not exist
    ├── InvalidInput            a field of the request is wrong; nothing was written
    └── Conflict                well-formed, but the current state refuses it
        ├── InvalidTransition   e.g. receiving a purchase order that is still a draft
        ├── DuplicateRecord     a unique key is taken (SKU, warehouse code, channel order)
        ├── LimitExceeded       a kept figure (on hand, stock value …) would pass the
        │                       largest amount the hub stores (hub.core.numbers)
        └── InsufficientStock   lines that cannot be reserved or moved, each with what
                                is available

Adapters translate these to their own vocabulary (HTTP problem+json, CLI exit codes);
nothing below the core raises driver or framework exceptions at its callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Conflict",
    "DomainError",
    "DuplicateRecord",
    "InsufficientStock",
    "InvalidInput",
    "InvalidTransition",
    "LimitExceeded",
    "NotFound",
    "Shortage",
]


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: Dotted path of the offending request field (``lines[2].qty``), when one is to blame.
        self.field = field


class NotFound(DomainError):
    """The record the request addresses (by path) does not exist."""


class InvalidInput(DomainError):
    """A request field is wrong: an unknown SKU, a quantity over what is outstanding …"""


class Conflict(DomainError):
    """The request is valid but the state of the records refuses it."""


class InvalidTransition(Conflict):
    """The document's status does not allow this action."""


class DuplicateRecord(Conflict):
    """A record with this unique key already exists."""


class LimitExceeded(Conflict):
    """The change would carry a figure the hub keeps past the largest amount it stores."""


@dataclass(frozen=True, slots=True)
class Shortage:
    """One line that cannot be served: how much was asked and how much there is."""

    sku: str
    warehouse: str
    requested: Decimal
    available: Decimal
    line: int | None = None


class InsufficientStock(Conflict):
    """Not enough available stock; :attr:`shortages` names every short line."""

    def __init__(self, shortages: list[Shortage]) -> None:
        names = ", ".join(
            f"{s.sku}@{s.warehouse} (requested {s.requested}, available {s.available})" for s in shortages
        )
        super().__init__(f"insufficient stock: {names}")
        self.shortages = shortages
