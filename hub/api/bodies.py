"""JSON bodies of the storefront's hottest reads (stock pages, a channel's stock), built straight from rows.

A page of 100 stock rows through pydantic models validates every row twice (the
endpoint's models, then FastAPI's response model) and calls the quantity serializer
400 times. Here each distinct quantity is converted once (:func:`as_json_number`,
remembered — stock levels repeat the same few values) and pydantic-core writes the
JSON, so the bytes are the very ones the schema models would give: tests hold this
module to ``Page[StockRow]`` and ``ChannelStockOut``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pydantic_core

from hub.core.numbers import as_json_number
from hub.db.reads import Level

__all__ = ["channel_stock", "stock_page", "stock_rows"]

_number = functools.lru_cache(maxsize=8192)(as_json_number)


def stock_rows(levels: Sequence[Level]) -> list[dict[str, object]]:
    number = _number
    # Field order as in hub.api.schemas.StockRow.
    return [
        {
            "sku": sku,
            "warehouse": warehouse,
            "on_hand": number(on_hand),
            "reserved": number(reserved),
            "available": number(on_hand - reserved if reserved else on_hand),
            "in_transit": number(in_transit),
        }
        for sku, warehouse, on_hand, reserved, in_transit in levels
    ]


def stock_page(levels: Sequence[Level], next_cursor: str | None) -> bytes:
    """The body of ``Page[StockRow]``."""
    return pydantic_core.to_json({"items": stock_rows(levels), "next_cursor": next_cursor})


def channel_stock(channel: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The body of ``ChannelStockOut`` (hub.api.routers.connectors) for rows of
    :func:`hub.connectors.channels.channel_stock`."""
    number = _number
    items = [
        {
            "sku": row["sku"],
            "available_to_sell": number(row["available_to_sell"]),
            "warehouses": {warehouse: number(qty) for warehouse, qty in row["warehouses"].items()},
        }
        for row in rows
    ]
    return pydantic_core.to_json({"channel": channel, "items": items})
