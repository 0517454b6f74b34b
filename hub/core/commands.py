"""Commands: the validated shape of every request to change the books.

Each model checks what can be checked without reading state (types, signs, lengths,
duplicate SKUs); handlers check the rest against the records. Documents addressed by
id take the id as a separate handler argument, so these models double as HTTP bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    RootModel,
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
    ChartCode,
    Code,
    DocumentRef,
    ExternalId,
    FreeText,
    IsoDate,
    Name,
    NonNegativeQty,
    PositiveQty,
    Price,
    Rate,
    Rating,
    TermsDays,
    Unit,
)
from hub.core.journal import DEFAULT_CHART, valid_role
from hub.core.ledger import VIRTUAL_LOCATIONS
from hub.core.numbers import MAX_AMOUNT
from hub.core.text import CODE_MAX, CODE_PATTERN

__all__ = [
    "RESERVED_SKUS",
    "AccountCodes",
    "ChargeIn",
    "Code",
    "CountLine",
    "LineReduction",
    "NewCustomer",
    "NewProduct",
    "NewProductionIssue",
    "NewProductionReceipt",
    "NewPurchaseOrder",
    "NewReceipt",
    "NewReturn",
    "NewSalesOrder",
    "NewShipment",
    "NewStockCount",
    "NewSupplier",
    "NewTaxRate",
    "NewTransfer",
    "NewWarehouse",
    "ProductChanges",
    "ProductionLineIn",
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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sku": "TEA-LJ-250",
                    "name": "Longjing 250 g",
                    "unit": "tin",
                    "list_price": "59.00",
                    "reorder_point": 20,
                    "reorder_max": 150,
                }
            ]
        }
    )

    sku: Sku
    name: Name
    unit: Unit = "pcs"
    barcode: Code | None = None
    list_price: Price | None = None
    reorder_point: NonNegativeQty | None = None
    reorder_max: NonNegativeQty | None = None
    active: Boolean = True
    tax_code: Code | None = None


class ProductChanges(_ReorderBand):
    """A partial update: only the fields present are changed (``null`` clears)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"list_price": "62.00", "reorder_point": 30}]})

    # Omitted means "unchanged"; these three cannot be cleared, so null is refused (the
    # default is never validated, and the documented type admits no null).
    name: Name = None  # type: ignore[assignment]
    unit: Unit = None  # type: ignore[assignment]
    barcode: Code | None = None
    list_price: Price | None = None
    reorder_point: NonNegativeQty | None = None
    reorder_max: NonNegativeQty | None = None
    active: Boolean = None  # type: ignore[assignment]
    tax_code: Code | None = None


class NewWarehouse(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "SH", "name": "Shanghai DC"}]})

    code: Code
    name: Name

    @field_validator("code")
    @classmethod
    def _not_virtual(cls, code: str) -> str:
        if code in VIRTUAL_LOCATIONS:
            raise ValueError(f"{code!r} is reserved for a virtual stock location")
        return code


class NewSupplier(Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "LONGJING", "name": "Longjing Tea Co.", "rating": 4}]}
    )

    code: Code
    name: Name
    contact: FreeText | None = None
    rating: Rating | None = None
    payment_terms_days: TermsDays | None = None


class NewCustomer(Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "TEAHOUSE", "name": "Teahouse Ltd", "credit_limit": "5000.00"}]}
    )

    code: Code
    name: Name
    contact: FreeText | None = None
    credit_limit: Amount | None = None
    tax_exempt: Boolean = False
    payment_terms_days: TermsDays | None = None


# -- finance ------------------------------------------------------------------------------


class NewTaxRate(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "VAT13", "name": "VAT 13%", "rate": "0.13"}]})

    code: Code
    name: Name
    rate: Rate


class AccountCodes(RootModel[dict[str, ChartCode]]):
    """``{"<role>": "<chart code>", …}``: the roles to map (others keep their codes)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [{"revenue": "200", "ar": "610", "expenses:freight": "425"}],
            "minProperties": 1,
            "propertyNames": {
                "maxLength": 9 + CODE_MAX,
                "anyOf": [
                    {"enum": list[JsonValue](sorted(DEFAULT_CHART))},
                    {"pattern": "^(?:expenses|clearing):" + CODE_PATTERN.removeprefix("^")},
                ],
            },
        },
    )

    @field_validator("root")
    @classmethod
    def _roles(cls, codes: dict[str, str]) -> dict[str, str]:
        if not codes:
            raise ValueError("name at least one role")
        for role in codes:
            if not valid_role(role):
                raise InvalidInput(
                    f"unknown account role {role!r}; roles are {', '.join(sorted(DEFAULT_CHART))}"
                    " (expenses and clearing also as expenses:<category>, clearing:<channel>)",
                    field=role,
                )
        return codes


# -- purchasing ------------------------------------------------------------------------------


class PurchaseLine(Command):
    sku: Code
    qty: PositiveQty
    unit_cost: Price
    #: The line's tax rate, when not the product's own.
    tax_code: Code | None = None


class NewPurchaseOrder(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "supplier": "LONGJING",
                    "warehouse": "SH",
                    "lines": [{"sku": "TEA-LJ-250", "qty": 100, "unit_cost": "38.00"}],
                }
            ]
        }
    )

    supplier: Code
    warehouse: Code
    currency: Currency | None = None
    #: Whether the unit costs include tax (they exclude it by default).
    prices_include_tax: Boolean = False
    #: When the goods are expected (the purchases report's on-time rate measures against it).
    expected_date: IsoDate | None = None
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
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lines": [{"sku": "TEA-LJ-250", "accepted": 96, "rejected": 4}]}]}
    )

    lines: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=1000)]


# -- sales ------------------------------------------------------------------------------------


class SalesLine(Command):
    sku: Code
    qty: PositiveQty
    unit_price: Price
    #: The line's tax rate, if not the product's (``hub.core.invoicing.line_rate``).
    tax_code: Code | None = None
    #: An amount off the line as a whole (all its units), e.g. a channel's line-level
    #: discount; tax included where the order's prices include it. At most qty × unit_price.
    discount: Price = Decimal(0)


class ChargeIn(Command):
    """Shipping, or an order-level discount given as a positive amount that the order loses."""

    kind: Literal["shipping", "discount"]
    description: Name
    amount: Price
    tax_code: Code | None = None


class NewSalesOrder(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customer": "TEAHOUSE",
                    "warehouse": "SH",
                    "lines": [{"sku": "TEA-LJ-250", "qty": 3, "unit_price": "59.00"}],
                }
            ]
        }
    )

    customer: Code
    warehouse: Code
    channel: Code | None = None
    external_id: ExternalId | None = None
    currency: Currency | None = None
    #: Unit prices include tax (its invoices take the tax out of them) rather than add to them.
    prices_include_tax: Boolean = False
    lines: Annotated[list[SalesLine], Field(min_length=1, max_length=1000)]
    #: Shipping and order-level discounts, billed as their own lines by the first invoice.
    charges: Annotated[list[ChargeIn], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _within_limits(self) -> Self:
        within_amount_limit(self.lines, "unit_price")
        return self


class LineReduction(Command):
    """A line's new ordered quantity: less than it is, not less than what has shipped."""

    sku: Code
    qty: NonNegativeQty


class SalesOrderReduction(Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"lines": [{"sku": "TEA-LJ-250", "qty": 2}]}]})

    lines: Annotated[list[LineReduction], Field(min_length=1, max_length=1000)]


class ShipLine(Command):
    sku: Code
    qty: PositiveQty


class NewShipment(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"lines": [{"sku": "TEA-LJ-250", "qty": 1}], "carrier": "SF Express", "tracking": "SF1234567890"}
            ]
        }
    )

    lines: Annotated[list[ShipLine], Field(min_length=1, max_length=1000)]
    carrier: Name | None = None
    tracking: Name | None = None


class ReturnLineIn(Command):
    sku: Code
    qty: PositiveQty
    restock: Boolean


class NewReturn(Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lines": [{"sku": "TEA-LJ-250", "qty": 1, "restock": True}]}]}
    )

    lines: Annotated[list[ReturnLineIn], Field(min_length=1, max_length=1000)]


# -- inventory ---------------------------------------------------------------------------------


class TransferLineIn(Command):
    sku: Code
    qty: PositiveQty


class NewTransfer(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "TEA-LJ-250", "qty": 5}]}]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"warehouse": "SH", "lines": [{"sku": "TEA-LJ-250", "counted": 60}]}]}
    )

    warehouse: Code
    lines: Annotated[list[CountLine], Field(min_length=1, max_length=10000)]


# -- production ----------------------------------------------------------------------------------


class ProductionLineIn(Command):
    sku: Code
    qty: PositiveQty


class NewProductionIssue(Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"warehouse": "SH", "lines": [{"sku": "TEA-LEAF-KG", "qty": 2.5}]}]}
    )

    warehouse: Code
    lines: Annotated[list[ProductionLineIn], Field(min_length=1, max_length=1000)]


class NewProductionReceipt(Command):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"warehouse": "SH", "lines": [{"sku": "TEA-LJ-250", "qty": 10}], "from_issues": [1]}]
        }
    )

    warehouse: Code
    lines: Annotated[list[ProductionLineIn], Field(min_length=1, max_length=1000)]
    #: The issues whose materials became these goods: each consumed by this receipt only.
    from_issues: Annotated[list[DocumentRef], Field(min_length=1, max_length=1000)]

    @field_validator("from_issues")
    @classmethod
    def _once_each(cls, issues: list[int]) -> list[int]:
        for i, issue in enumerate(issues):
            if issue in issues[:i]:
                raise InvalidInput(f"issue {issue} is named twice", field=f"from_issues[{i}]")
        return issues
