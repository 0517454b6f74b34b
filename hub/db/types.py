"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Numeric, String, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

from hub.core.errors import LimitExceeded
from hub.core.numbers import MAX_AMOUNT, within_limit

__all__ = ["Amount", "JsonDoc", "UTCDateTime"]


def _storable(value: Any) -> Decimal:
    # The last guard of the limits in hub.core.numbers: the core refuses anything past them
    # first, so this only fires for a figure it did not foresee — and then both databases
    # refuse it alike (PostgreSQL would raise NumericValueOutOfRange, SQLite store it).
    amount = Decimal(value)
    if not within_limit(amount):
        raise LimitExceeded(f"{amount:f} is over the largest amount the hub keeps ({MAX_AMOUNT:,})")
    return amount


class _DecimalText(TypeDecorator[Decimal]):
    """SQLite has no exact decimal: store the decimal's text, read it back exactly."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(_storable(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class _Numeric(TypeDecorator[Decimal]):
    """``numeric(20, 6)``, refusing what it cannot hold the same way SQLite's text does."""

    impl = Numeric(20, 6, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else _storable(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)  # the driver gives Decimal already


#: Quantities and money: numeric(20, 6) on PostgreSQL, exact text on SQLite; at most
#: ``MAX_AMOUNT`` either way on both.
Amount = _Numeric().with_variant(_DecimalText(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are UTC and timezone-aware on the way in and out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: A JSON document: jsonb on PostgreSQL, JSON text on SQLite.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)
