"""Commands: the validated shape of every request to change the books.

Each model checks what can be checked without reading state (types, signs, lengths,
duplicate SKUs); handlers check the rest against the records. Documents addressed by
id take the id as a separate handler argument, so these models double as HTTP bodies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from hub.core.errors import InvalidInput
from hub.core.ledger import VIRTUAL_LOCATIONS

__all__ = [
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

#: A SKU or a partner / warehouse code: 1–64 visible characters.
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Quantities travel as JSON numbers (IEEE doubles), exact to 15 significant digits:
# up to 999,999,999.999999. Money travels as decimal strings and may be larger.
_Quantity = Field(max_digits=15, decimal_places=6)
_Money = Field(max_digits=20, decimal_places=6)
PositiveQty = Annotated[Decimal, Field(gt=0), _Quantity]
NonNegativeQty = Annotated[Decimal, Field(ge=0), _Quantity]
NonNegativeMoney = Annotated[Decimal, Field(ge=0), _Money]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class NewProduct(_ReorderBand):
    sku: Code
    name: Text
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] = "pcs"
    barcode: Code | None = None
    list_price: NonNegativeMoney | None = None
    reorder_point: NonNegativeQty | None = None
    reorder_max: NonNegativeQty | None = None
    active: bool = True


class ProductChanges(_ReorderBand):
    """A partial update: only the fields present are changed (``null`` clears)."""

    name: Text | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] | None = None
    barcode: Code | None = None
    list_price: NonNegativeMoney | None = None
    reorder_point: NonNegativeQty | None = None
    reorder_max: NonNegativeQty | None = None
    active: bool | None = None

    @field_validator("name", "unit", "active")
    @classmethod
    def _not_nullable(cls, value: object, info: ValidationInfo) -> object:
        # Runs only for fields sent: omitted means "unchanged", null would mean "cleared".
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value


class NewWarehouse(Command):
    code: Code
    name: Text

    @field_validator("code")
    @classmethod
    def _not_virtual(cls, code: str) -> str:
        if code in VIRTUAL_LOCATIONS:
            raise ValueError(f"{code!r} is reserved for a virtual stock location")
        return code


class NewSupplier(Command):
    code: Code
    name: Text
    contact: Text | None = None
    rating: Annotated[int, Field(ge=1, le=5)] | None = None


class NewCustomer(Command):
    code: Code
    name: Text
    contact: Text | None = None
    credit_limit: NonNegativeMoney | None = None


# -- purchasing ------------------------------------------------------------------------------


class PurchaseLine(Command):
    sku: Code
    qty: PositiveQty
    unit_cost: NonNegativeMoney


class NewPurchaseOrder(Command):
    supplier: Code
    warehouse: Code
    currency: Currency | None = None
    lines: Annotated[list[PurchaseLine], Field(min_length=1, max_length=1000)]


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
    unit_price: NonNegativeMoney


class NewSalesOrder(Command):
    customer: Code
    warehouse: Code
    channel: Code | None = None
    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] | None = None
    currency: Currency | None = None
    lines: Annotated[list[SalesLine], Field(min_length=1, max_length=1000)]


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
    carrier: Text | None = None
    tracking: Text | None = None


class ReturnLineIn(Command):
    sku: Code
    qty: PositiveQty
    restock: bool


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
