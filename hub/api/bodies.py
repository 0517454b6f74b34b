"""JSON bodies of the storefront's hottest reads (stock pages, a channel's stock), built straight from rows.

A page of 100 stock rows through pydantic models validates every row twice (the
endpoint's models, then FastAPI's response model) and calls the quantity serializer
400 times. Here each distinct quantity is converted once (:func:`as_json_number`,
remembered — stock levels repeat the same few values), each distinct stock row is
written once, and pydantic-core writes the JSON, so the bytes are the very ones the
schema models would give: tests hold this module to ``Page[StockRow]`` and
``ChannelStockOut``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pydantic_core

from hub.connectors.channels import Offer
from hub.core.numbers import as_json_number
from hub.db.reads import Level, LevelText

__all__ = ["channel_stock", "stock_page"]

_number = functools.lru_cache(maxsize=8192)(as_json_number)


def _stock_row(level: Level) -> dict[str, object]:
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


#: Each stock row's JSON, by the row as read: a storefront pages through the same rows
#: again and again, and most of them have not changed since the last time.
_ROWS: dict[LevelText, bytes] = {}
_MAX_ROWS = 100_000


def _stock_json(row: LevelText) -> bytes:
    json = _ROWS.get(row)
    if json is None:
        json = pydantic_core.to_json(_stock_row(row.level()))
        if len(_ROWS) >= _MAX_ROWS:
            _ROWS.clear()
        _ROWS[row] = json
    return json


def stock_page(rows: Sequence[LevelText], next_cursor: str | None) -> bytes:
    """The body of ``Page[StockRow]``."""
    items = b",".join([_stock_json(row) for row in rows])
    return b'{"items":[' + items + b'],"next_cursor":' + pydantic_core.to_json(next_cursor) + b"}"


#: Each offer's JSON, by the offer: the same SKUs are asked again and again.
_OFFERS: dict[Offer, bytes] = {}


def _offer_json(offer: Offer) -> bytes:
    json = _OFFERS.get(offer)
    if json is None:
        json = pydantic_core.to_json(
            {
                "sku": offer.sku,
                "available_to_sell": _number(offer.available_to_sell),
                "warehouses": {warehouse: _number(qty) for warehouse, qty in offer.warehouses},
            }
        )
        if len(_OFFERS) >= _MAX_ROWS:
            _OFFERS.clear()
        _OFFERS[offer] = json
    return json


def channel_stock(channel: str, offers: Sequence[Offer]) -> bytes:
    """The body of ``ChannelStockOut`` (hub.api.routers.connectors)."""
    items = b",".join([_offer_json(offer) for offer in offers])
    return b'{"channel":' + pydantic_core.to_json(channel) + b',"items":[' + items + b"]}"
