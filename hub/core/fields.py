"""The shapes of request fields: codes, names, quantities and money, each with one rule.

Every command (and so every HTTP body) builds on these, so a field is validated — and
described in the OpenAPI document — the same way wherever it appears. They are strict
about type, the way a JSON client means it: a quantity is a JSON number (``true`` is not
1, ``"12"`` is not a number); money is a decimal string of ASCII digits (``"1_000"``,
``"١٢"`` and ``"５"`` are not money, nor is ``12.5``, which a double may not hold
exactly). Python callers may pass :class:`~decimal.Decimal` for either. ``-0`` is taken
as ``0``. Limits are in :mod:`hub.core.numbers`, character rules in :mod:`hub.core.text`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from hub.core.numbers import MAX_AMOUNT, MAX_PRICE, MAX_QUANTITY, PLACES
from hub.core.text import CODE_MAX, CODE_PATTERN, NAME_MAX, check_code, check_name, name_pattern

__all__ = [
    "RATE_PATTERN",
    "Amount",
    "Boolean",
    "ChartCode",
    "Code",
    "DocumentRef",
    "ExternalId",
    "FreeText",
    "Integer",
    "IsoDate",
    "Name",
    "NonNegativeQty",
    "PositiveAmount",
    "PositiveQty",
    "Price",
    "Rate",
    "Rating",
    "TermsDays",
    "Unit",
    "money_pattern",
]

_STEP = float(Decimal(1).scaleb(-PLACES))


# -- codes and names ------------------------------------------------------------------------


def _text_type(value: object) -> object:
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "must be a string")
    return value


def _refusing(kind: str, check: Callable[[str], str]) -> Callable[[str], str]:
    """``check`` (which raises ``ValueError`` saying why) as a pydantic validator of ``kind``."""

    def validate(value: str) -> str:
        try:
            return check(value)
        except ValueError as error:
            raise PydanticCustomError(kind, "{reason}", {"reason": str(error)}) from None

    return validate


def _bounded(limit: int) -> Callable[[str], str]:
    return _refusing("code", lambda value: check_code(value, limit=limit))


_code = _bounded(CODE_MAX)
_name = _refusing("name", check_name)
_free_text = _refusing("name", lambda value: check_name(value, newlines=True))


def _code_schema(limit: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "minLength": 1, "maxLength": limit, "pattern": CODE_PATTERN})


#: A unit of measure (``pcs``, ``kg``, ``m²``): a code of at most 16 characters.
Unit = Annotated[str, BeforeValidator(_text_type), AfterValidator(_bounded(16)), _code_schema(16)]
#: A vendor's own id for a record (a channel's order id): a code of at most 128 characters.
ExternalId = Annotated[str, BeforeValidator(_text_type), AfterValidator(_bounded(128)), _code_schema(128)]
#: A chart-of-accounts code (``4000``, ``200-SALES``): a code of at most 32 characters.
ChartCode = Annotated[str, BeforeValidator(_text_type), AfterValidator(_bounded(32)), _code_schema(32)]


#: A SKU, a warehouse, supplier, customer or channel code: 1–64 visible characters.
Code = Annotated[
    str,
    BeforeValidator(_text_type),
    AfterValidator(_code),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": CODE_MAX,
            "pattern": CODE_PATTERN,
            "description": "1–64 visible characters; single spaces between them",
        }
    ),
]
#: A name: 1–200 characters, no control characters, no whitespace at either end.
Name = Annotated[
    str,
    BeforeValidator(_text_type),
    AfterValidator(_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": name_pattern()}),
]
#: Like :data:`Name`, and may hold line breaks.
FreeText = Annotated[
    str,
    BeforeValidator(_text_type),
    AfterValidator(_free_text),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": NAME_MAX, "pattern": name_pattern(newlines=True)}),
]


# -- booleans and integers -------------------------------------------------------------------------


def _boolean(value: object) -> object:
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "must be true or false")
    return value


def _integer(value: object) -> object:
    # 4.0 is an integer to JSON Schema; true and "4" are not.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "must be a JSON integer")
    return value


#: ``true`` or ``false`` — not 0, 1, "yes" or "true".
Boolean = Annotated[bool, BeforeValidator(_boolean)]
#: A whole JSON number (``4`` or ``4.0``) — not ``true`` or ``"4"``.
Integer = Annotated[int, BeforeValidator(_integer)]
#: A supplier's rating, 1 (worst) to 5.
Rating = Annotated[
    int,
    BeforeValidator(_integer),
    Field(ge=1, le=5),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 5}),
]

#: A document named in a body (an invoice, a sales order): its id, 1 to 2³¹ − 1 — ids are
#: 32-bit on every database, as in paths (``hub.api.pagination.DocumentId``).
DocumentRef = Annotated[
    int,
    BeforeValidator(_integer),
    Field(ge=1, le=2**31 - 1),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}),
]

#: Days until a document falls due, 0 (on receipt) to 3650.
TermsDays = Annotated[
    int,
    BeforeValidator(_integer),
    Field(ge=0, le=3650),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 3650}),
]


# -- quantities ------------------------------------------------------------------------------


def _json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("number_type", "must be a JSON number, e.g. 12 or 2.5")
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number")
    return value


def _unsigned_zero(value: Decimal) -> Decimal:
    # -0 and 0 are one quantity; keep the sign out of storage and replies.
    return value.copy_abs() if value.is_zero() else value


def _quantity(*, positive: bool) -> Any:
    bound: dict[str, Any] = {"gt": 0} if positive else {"ge": 0}
    schema: dict[str, Any] = {
        "type": "number",
        "maximum": float(MAX_QUANTITY),
        "multipleOf": _STEP,
        "description": f"a JSON number, at most {PLACES} decimal places",
    }
    schema["exclusiveMinimum" if positive else "minimum"] = 0
    return Annotated[
        Decimal,
        BeforeValidator(_json_number),
        Field(le=MAX_QUANTITY, decimal_places=PLACES, **bound),
        AfterValidator(_unsigned_zero),
        WithJsonSchema(schema),
    ]


#: A quantity above zero, up to 999,999,999.999999.
PositiveQty = _quantity(positive=True)
#: A quantity of zero or more, up to 999,999,999.999999.
NonNegativeQty = _quantity(positive=False)


# -- money -------------------------------------------------------------------------------------


def money_pattern(limit: Decimal) -> str:
    """Non-negative decimal strings up to ``limit`` (``-0`` allowed), ASCII digits, ≤ 6 places."""
    digits = len(str(int(limit)))
    # Leading zeros and trailing zeros past the sixth place do not change the amount.
    return rf"^(?:0*[0-9]{{1,{digits}}}(?:\.[0-9]{{1,{PLACES}}}0*)?|-0+(?:\.0+)?)$"


def _decimal_string(limit: Decimal) -> Callable[[object], object]:
    compiled = re.compile(money_pattern(limit))
    example = f"{limit:,}"

    def decimal_string(value: object) -> object:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str) and compiled.fullmatch(value):
            return Decimal(value)
        raise PydanticCustomError(
            "money",
            'must be a decimal string from 0 to {limit} with at most {places} decimal places, e.g. "12.50"',
            {"limit": example, "places": PLACES},
        )

    return decimal_string


def _money(limit: Decimal, what: str) -> Any:
    pattern = money_pattern(limit)
    return Annotated[
        Decimal,
        BeforeValidator(_decimal_string(limit)),
        Field(ge=0, le=limit, decimal_places=PLACES),
        AfterValidator(_unsigned_zero),
        WithJsonSchema({"type": "string", "pattern": pattern, "description": what, "examples": ["12.50"]}),
    ]


#: A unit price, unit cost or list price: "0" … "999999999999.999999".
Price = _money(MAX_PRICE, "a decimal string: 0 to 999,999,999,999.999999, at most 6 decimal places")
#: A larger amount (a credit limit): "0" … "99999999999999.999999".
Amount = _money(MAX_AMOUNT, "a decimal string: 0 to 99,999,999,999,999.999999, at most 6 decimal places")


#: An amount of money above zero (a payment, an allocation, an expense): "0.01" … as :data:`Amount`.
PositiveAmount = Annotated[
    Decimal,
    BeforeValidator(_decimal_string(MAX_AMOUNT)),
    Field(gt=0, le=MAX_AMOUNT, decimal_places=PLACES),
    WithJsonSchema(
        {
            "type": "string",
            # Amount's pattern, less every spelling of zero.
            "pattern": r"^(?!-?0*(?:\.0*)?$)" + money_pattern(MAX_AMOUNT).removeprefix("^"),
            "description": "a decimal string above 0, up to 99,999,999,999,999.999999, at most 6 decimal places",
            "examples": ["12.50"],
        }
    ),
]

#: A fraction 0 … 1 as a decimal string, ASCII digits, ≤ 6 places (leading zeros, trailing zeros and ``-0`` as money).
RATE_PATTERN = rf"^(?:0*(?:0(?:\.[0-9]{{1,{PLACES}}}0*)?|1(?:\.0+)?)|-0+(?:\.0+)?)$"


def _rate_string(value: object) -> object:
    if isinstance(value, Decimal) or (isinstance(value, str) and re.fullmatch(RATE_PATTERN, value)):
        return Decimal(value)
    raise PydanticCustomError(
        "rate",
        'must be a fraction from 0 to 1 as a decimal string, at most {places} decimal places, e.g. "0.13"',
        {"places": PLACES},
    )


#: A rate as a fraction — a tax rate or a discount: "0" … "1" ("0.13" is 13 %).
Rate = Annotated[
    Decimal,
    BeforeValidator(_rate_string),
    Field(ge=0, le=1, decimal_places=PLACES),
    AfterValidator(_unsigned_zero),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": RATE_PATTERN,
            "description": 'a fraction as a decimal string, 0 to 1, at most 6 decimal places ("0.13" is 13 %)',
            "examples": ["0.13"],
        }
    ),
]


# -- dates ---------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: object) -> object:
    # A calendar day as JSON carries it: "2026-12-07". Not a timestamp, not a number —
    # a bill's date or a delivery date has no time of day and no zone.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date", 'must be a date as "YYYY-MM-DD"')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", "{value} is not a day of the calendar", {"value": value}) from None


#: A calendar day, ``"2026-12-07"`` (ISO 8601, no time).
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DATE.pattern, "examples": ["2026-12-07"]}),
]
