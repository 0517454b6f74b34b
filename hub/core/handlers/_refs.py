"""Resolving what a command names — partners, warehouses, SKUs — or saying which field is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from hub.core.catalog import Product
from hub.core.commands import unique_skus
from hub.core.errors import InvalidInput
from hub.core.ports import MasterRepository, UnitOfWork

__all__ = ["check_products", "known", "known_products"]

T = TypeVar("T")


class _Line(Protocol):
    sku: str


async def known(repo: MasterRepository[T], code: str, field: str, kind: str, *, lock: bool = False) -> T:
    record = await repo.get(code, lock=lock)
    if record is None:
        raise InvalidInput(f"unknown {kind} {code!r}", field=field)
    return record


async def known_products(uow: UnitOfWork, lines: Sequence[_Line]) -> dict[str, Product]:
    """Every line's SKU, once each, naming an existing active product."""
    unique_skus(lines)  # type: ignore[arg-type]
    products = await uow.products.get_many(line.sku for line in lines)
    check_products(lines, products)
    return products


def check_products(lines: Sequence[_Line], products: dict[str, Product]) -> None:
    """Every line's SKU, once each, among ``products`` and active (or which field is wrong)."""
    unique_skus(lines)  # type: ignore[arg-type]
    for i, line in enumerate(lines):
        product = products.get(line.sku)
        if product is None:
            raise InvalidInput(f"unknown SKU {line.sku!r}", field=f"lines[{i}].sku")
        if not product.active:
            raise InvalidInput(f"product {line.sku} is inactive", field=f"lines[{i}].sku")
