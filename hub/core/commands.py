"""Commands: the validated shape of every request to change the books.

Each model checks what can be checked without reading state (types, signs, lengths,
duplicate SKUs); handlers check the rest against the records. Documents addressed by
id take the id as a separate handler argument, so these models double as HTTP bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from hub.core.errors import InvalidInput
from hub.core.fields import (
    Amount,
    Boolean,
    Code,
    FreeText,
    Name,
    NonNegativeQty,
    PositiveQty,
    Price,
    Rating,
    bounded_code,
)
from hub.core.ledger import VIRTUAL_LOCATIONS
from hub.core.numbers import MAX_AMOUNT
from hub.core.text import CODE_MAX, CODE_PATTERN

__all__ = [
    "RESERVED_SKUS",
    "Code",
    "CountLine",
    "LineReduction",
    "NewCustomer",
    "NewProduct",
    "NewPurchaseOrder",
    "NewReceipt",
    "NewReturn",
    "NewSalesOrder",
    "NewShipment",
    "NewStockCount",
    "NewSupplier",
    "NewTransfer",
    "NewWarehouse",
    "ProductChanges",
    "PurchaseLine",
    "ReceiptLineIn",
    "ReturnLineIn",
    "SalesLine",
    "SalesOrderReduction",
    "ShipLine",
    "TransferLineIn",
    "unique_skus",
]

#: SKUs that would read as another resource in ``/v1/stock/{sku}`` (``/v1/stock/moves``
#: is the ledger), refused when a product is created.
RESERVED_SKUS = frozenset({"moves"})
Unit = bounded_code(16)
ExternalId = bounded_code(128)
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def within_amount_limit(lines: Sequence[BaseModel], price: str) -> None:
    """Refuse a line whose value (qty × ``price``), or a document whose total, passes ``MAX_AMOUNT``."""
    total = Decimal(0)
    for i, line in enumerate(lines):
        value = line.qty * getattr(line, price)  # type: ignore[attr-defined]
        if value > MAX_AMOUNT:
            raise InvalidInput(
                f"line value {value:f} is over the largest amount the hub keeps ({MAX_AMOUNT:,})",
                field=f"lines[{i}].{price}",
            )
        total += value
    if total > MAX_AMOUNT:
        raise InvalidInput(
            f"order total {total:f} is over the largest amount the hub keeps ({MAX_AMOUNT:,})", field="lines"
        )


def unique_skus(lines: list[BaseModel]) -> None:
    """Refuse a document that names one SKU on two lines (pointing at the second)."""
    seen: set[str] = set()
    for i, line in enumerate(lines):
        sku = line.sku  # type: ignore[attr-defined]
        if sku in seen:
            raise InvalidInput(f"{sku} appears on more than one line", field=f"lines[{i}].sku")
        seen.add(sku)


# -- master data ------------------------------------------------------------------------------


class _ReorderBand(Command):
    # Field validators rather than a model validator, so the error names ``reorder_max``
    # (subclasses declare it after ``reorder_point``, which is then in ``info.data``).
    @field_validator("reorder_max", check_fields=False)
    @classmethod
    def _band(cls, ceiling: Decimal | None, info: ValidationInfo) -> Decimal | None:
        point = info.data.get("reorder_point")
        if point is not None and ceiling is not None and ceiling < point:
            raise ValueError("reorder_max must not be below reorder_point")
        return ceiling


def _not_reserved(sku: str) -> str:
    if sku in RESERVED_SKUS:
        raise ValueError(f"{sku!r} is reserved: /v1/stock/{sku} is another resource")
    return sku


#: A new product's SKU: a code, and not one of :data:`RESERVED_SKUS`.
Sku = Annotated[
    Code,
    AfterValidator(_not_reserved),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": CODE_MAX,
            "pattern": CODE_PATTERN,
            "not": {"enum": sorted(RESERVED_SKUS)},
            "description": "1–64 visible characters; single spaces between them; not 'moves'",
        }
    ),
]


class NewProduct(_ReorderBand):
    sku: Sku
    name: Name
    unit: Unit = "pcs"
    barcode: Code | None = None
    list_price: Price | None = None
    reorder_point: NonNegativeQty | None = None
    reorder_max: NonNegativeQty | None = None
    active: Boolean = True


class ProductChanges(_ReorderBand):
    """A partial update: only the fields present are changed (``null`` clears)."""

    # Omitted means "unchanged"; these three cannot be cleared, so null is refused (the
    # default is never validated, and the documented type admits no null).
    name: Name = None  # type: ignore[assignment]
    unit: Unit = None
    barcode: Code | None = None
    list_price: Price | None = None
    reorder_point: NonNegativeQty | None = None
    reorder_max: NonNegativeQty | None = None
    active: Boolean = None  # type: ignore[assignment]


class NewWarehouse(Command):
    code: Code
    name: Name

    @field_validator("code")
    @classmethod
    def _not_virtual(cls, code: str) -> str:
        if code in VIRTUAL_LOCATIONS:
            raise ValueError(f"{code!r} is reserved for a virtual stock location")
        return code


class NewSupplier(Command):
    code: Code
    name: Name
    contact: FreeText | None = None
    rating: Rating | None = None


class NewCustomer(Command):
    code: Code
    name: Name
    contact: FreeText | None = None
    credit_limit: Amount | None = None


# -- purchasing ------------------------------------------------------------------------------


class PurchaseLine(Command):
    sku: Code
    qty: PositiveQty
    unit_cost: Price


class NewPurchaseOrder(Command):
    supplier: Code
    warehouse: Code
    currency: Currency | None = None
    lines: Annotated[list[PurchaseLine], Field(min_length=1, max_length=1000)]

    @model_validator(mode="after")
    def _within_limits(self) -> Self:
        within_amount_limit(self.lines, "unit_cost")
        return self


class ReceiptLineIn(Command):
    sku: Code
    accepted: NonNegativeQty = Decimal(0)
    rejected: NonNegativeQty = Decimal(0)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.accepted == 0 and self.rejected == 0:
            raise ValueError("a receipt line needs an accepted or rejected quantity above zero")
        return self


class NewReceipt(Command):
    lines: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=1000)]


# -- sales ------------------------------------------------------------------------------------


class SalesLine(Command):
    sku: Code
    qty: PositiveQty
    unit_price: Price


class NewSalesOrder(Command):
    customer: Code
    warehouse: Code
    channel: Code | None = None
    external_id: ExternalId | None = None
    currency: Currency | None = None
    lines: Annotated[list[SalesLine], Field(min_length=1, max_length=1000)]

    @model_validator(mode="after")
    def _within_limits(self) -> Self:
        within_amount_limit(self.lines, "unit_price")
        return self


class LineReduction(Command):
    """A line's new ordered quantity: less than it is, not less than what has shipped."""

    sku: Code
    qty: NonNegativeQty


class SalesOrderReduction(Command):
    lines: Annotated[list[LineReduction], Field(min_length=1, max_length=1000)]


class ShipLine(Command):
    sku: Code
    qty: PositiveQty


class NewShipment(Command):
    lines: Annotated[list[ShipLine], Field(min_length=1, max_length=1000)]
    carrier: Name | None = None
    tracking: Name | None = None


class ReturnLineIn(Command):
    sku: Code
    qty: PositiveQty
    restock: Boolean


class NewReturn(Command):
    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=1000)]


# -- inventory ---------------------------------------------------------------------------------


class TransferLineIn(Command):
    sku: Code
    qty: PositiveQty


class NewTransfer(Command):
    from_warehouse: Code
    to_warehouse: Code
    lines: Annotated[list[TransferLineIn], Field(min_length=1, max_length=1000)]

    @field_validator("to_warehouse")
    @classmethod
    def _two_places(cls, to_warehouse: str, info: ValidationInfo) -> str:
        if to_warehouse == info.data.get("from_warehouse"):
            raise ValueError("from_warehouse and to_warehouse must differ")
        return to_warehouse


class CountLine(Command):
    sku: Code
    counted: NonNegativeQty


class NewStockCount(Command):
    warehouse: Code
    lines: Annotated[list[CountLine], Field(min_length=1, max_length=10000)]
