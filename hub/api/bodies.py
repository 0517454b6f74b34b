"""JSON bodies of the storefront's hottest reads, built straight from rows.

A page of 100 stock rows through pydantic models validates every row twice (the
endpoint's models, then FastAPI's response model) and calls the quantity serializer
400 times. Here each distinct quantity is converted once (:func:`as_json_number`,
remembered — stock levels repeat the same few values) and pydantic-core writes the
JSON, so the bytes are the very ones the schema models would give: a test holds this
module to ``Page[StockRow]``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pydantic_core

from hub.core.numbers import as_json_number
from hub.db.reads import Level

__all__ = ["stock_page", "stock_rows"]

_number = functools.lru_cache(maxsize=8192)(as_json_number)


def _row(level: Level) -> dict[str, object]:
    # Field order as in hub.api.schemas.StockRow.
    on_hand, reserved = level.on_hand, level.reserved
    return {
        "sku": level.sku,
        "warehouse": level.warehouse,
        "on_hand": _number(on_hand),
        "reserved": _number(reserved),
        "available": _number(on_hand - reserved if reserved else on_hand),
        "in_transit": _number(level.in_transit),
    }


def stock_rows(levels: Sequence[Level]) -> list[dict[str, object]]:
    return [_row(level) for level in levels]


def stock_page(levels: Sequence[Level], next_cursor: str | None) -> bytes:
    """The body of ``Page[StockRow]``."""
    return pydantic_core.to_json({"items": stock_rows(levels), "next_cursor": next_cursor})
