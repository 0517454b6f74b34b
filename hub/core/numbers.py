"""Decimal arithmetic for quantities and money.

Quantities may be fractional (kg, m) and money is per currency; both are ``Decimal``
with at most :data:`PLACES` decimal places, so every stored value is exact on SQLite
(text) and PostgreSQL (``numeric``) alike. Rounding happens in exactly two places —
average cost and the cost of an outgoing move — and is banker's rounding, so rounding
never drifts in one direction.

Limits, the same on every database (the README's "Limits" states them for users):

    a quantity on a request          0 … MAX_QUANTITY   (999,999,999.999999)
    a unit price, cost or list price 0 … MAX_PRICE      (999,999,999,999.999999)
    a line's value, a document's
    total, a credit limit, and every
    figure the hub keeps (on hand,
    stock value, cost of goods sold) 0 … MAX_AMOUNT     (99,999,999,999,999.999999)

A quantity has 15 significant digits, which a JSON number (an IEEE double) carries
exactly. ``MAX_AMOUNT`` is what a ``numeric(20, 6)`` column holds. Requests beyond a
limit are refused before anything is written (422 naming the field); a change that
would carry a kept figure past ``MAX_AMOUNT`` is refused as a conflict (409).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

__all__ = [
    "MAX_AMOUNT",
    "MAX_PRICE",
    "MAX_QUANTITY",
    "PLACES",
    "ZERO",
    "Money",
    "Quantity",
    "as_json_number",
    "normalize",
    "quantize",
    "within_limit",
]

PLACES = 6
ZERO = Decimal(0)
_EXP = Decimal(1).scaleb(-PLACES)

MAX_QUANTITY = Decimal("999999999.999999")
MAX_PRICE = Decimal("999999999999.999999")
MAX_AMOUNT = Decimal("99999999999999.999999")


def within_limit(value: Decimal) -> bool:
    """Whether ``value`` fits what the hub keeps: at most :data:`MAX_AMOUNT` either way."""
    return value.is_finite() and -MAX_AMOUNT <= value <= MAX_AMOUNT


def quantize(value: Decimal) -> Decimal:
    """Round to the stored precision (6 places, half-even)."""
    return value.quantize(_EXP, rounding=ROUND_HALF_EVEN)


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (``5.000`` → ``5``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def as_json_number(value: Decimal) -> int | float:
    # Quantities go out as JSON numbers. Commands admit at most 15 significant digits,
    # which a double carries exactly, so the shortest float repr is the decimal itself.
    value = normalize(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _as_money_string(value: Decimal) -> str:
    # Money goes out as a decimal string with at least two places ("12.50", "0.333333").
    value = normalize(value)
    return f"{value:.2f}" if value.as_tuple().exponent >= -2 else str(value)  # type: ignore[operator]


#: A quantity (may be fractional); serialised to JSON as a number.
Quantity = Annotated[
    Decimal,
    PlainSerializer(as_json_number, return_type=int | float, when_used="json"),
    WithJsonSchema({"type": "number"}, mode="serialization"),
]
#: An amount of money; serialised to JSON as a decimal string with 2 to 6 decimal places.
Money = Annotated[
    Decimal,
    PlainSerializer(_as_money_string, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2,6}$"}, mode="serialization"),
]
