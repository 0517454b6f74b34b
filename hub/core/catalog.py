"""Master data: products, warehouses and the two kinds of trading partner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = ["Customer", "Product", "Supplier", "Warehouse"]


@dataclass(eq=False)
class Product:
    """A stock-keeping unit. ``sku`` is its identity everywhere (API, events, channels)."""

    sku: str
    name: str
    unit: str = "pcs"
    barcode: str | None = None
    list_price: Decimal | None = None
    reorder_point: Decimal | None = None
    reorder_max: Decimal | None = None
    active: bool = True
    #: The tax rate its lines take unless a line names another (None: untaxed).
    tax_code: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    id: int | None = field(default=None)


@dataclass(eq=False)
class Warehouse:
    """A physical store of goods; its stock location carries the warehouse ``code``."""

    code: str
    name: str
    created_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Supplier:
    """A party goods are bought from. ``rating`` is 1 (poor) to 5 (excellent)."""

    code: str
    name: str
    contact: str | None = None
    rating: int | None = None
    #: Days from a bill's date to its due date (None: the default, 30).
    payment_terms_days: int | None = None
    created_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Customer:
    """A party goods are sold to. ``credit_limit`` None means no limit."""

    code: str
    name: str
    contact: str | None = None
    credit_limit: Decimal | None = None
    #: Invoices to a tax-exempt customer carry no tax.
    tax_exempt: bool = False
    #: Days from an invoice's issue to its due date (None: the default, 30).
    payment_terms_days: int | None = None
    created_at: datetime | None = None
    id: int | None = None
