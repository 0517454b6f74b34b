"""Stock reads answer an ETag; a client that sends it back gets 304 with no body while
the stock is unchanged, and the new stock as soon as it changes."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from hub.api.bodies import channel_stock, stock_page
from hub.api.routers.connectors import ChannelStockOut, ChannelStockRow
from hub.api.schemas import Page, StockRow
from hub.connectors.channels import Offer
from hub.db.reads import Level, LevelText
from tests.api.support import purchase, sell


async def assert_not_modified(api: httpx.AsyncClient, path: str, sent: str, etag: str) -> None:
    response = await api.get(path, headers={"If-None-Match": sent})
    assert response.status_code == 304, response.text
    assert response.content == b""
    assert response.headers["ETag"] == etag


@pytest.mark.parametrize("path", ["/v1/stock", "/v1/stock?sku=TEA", "/v1/stock/TEA", "/v1/stock/RICE"])
async def test_unchanged_stock_is_304_changed_stock_is_200(seed: httpx.AsyncClient, path: str) -> None:
    first = await seed.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and first.headers["Cache-Control"] == "no-cache"
    # The same tag, weakened by a cache on the way, among others, or "*": all mean "I have it".
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        await assert_not_modified(seed, path, sent, etag)
    assert (await seed.get(path, headers={"If-None-Match": '"stale"'})).status_code == 200

    await sell(seed, ("TEA", 2, "5.00"))  # reserves 2 TEA
    await purchase(seed, [("RICE", 1, "3.00")])
    changed = await seed.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.json() != first.json()


async def test_each_page_has_its_own_etag(seed: httpx.AsyncClient) -> None:
    first = await seed.get("/v1/stock", params={"limit": 1})
    second = await seed.get("/v1/stock", params={"limit": 1, "cursor": first.json()["next_cursor"]})
    assert first.json()["items"] != second.json()["items"]
    assert first.headers["ETag"] != second.headers["ETag"]
    response = await seed.get(
        "/v1/stock",
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert response.status_code == 200 and response.json() == second.json()


async def test_an_unknown_sku_is_still_404(seed: httpx.AsyncClient) -> None:
    response = await seed.get("/v1/stock/NOPE", headers={"If-None-Match": "*"})
    assert response.status_code == 404


QUANTITIES = ["0", "0.000000", "20.000000", "12.5", "0.000001", "0.00005", "1234567.891", "999999999999999", "-3"]


@pytest.mark.parametrize("on_hand", QUANTITIES)
@pytest.mark.parametrize("reserved", ["0", "0.5", "2"])
def test_the_stock_page_body_is_what_the_schema_gives(on_hand: str, reserved: str) -> None:
    rows = [LevelText("TEA", "SH", on_hand, reserved, "1.25"), LevelText("茶/绿", "BJ", reserved, "0", on_hand)]
    levels = [Level(r.sku, r.warehouse, Decimal(r.on_hand), Decimal(r.reserved), Decimal(r.in_transit)) for r in rows]
    schema = Page[StockRow](items=[StockRow.model_validate(level) for level in levels], next_cursor="abc")
    assert stock_page(rows, "abc") == schema.model_dump_json().encode()
    assert stock_page(rows, "abc") == schema.model_dump_json().encode()  # the second time from what was remembered
    assert stock_page([], None) == Page[StockRow](items=[]).model_dump_json().encode()


@pytest.mark.parametrize("qty", QUANTITIES)
def test_the_channel_stock_body_is_what_the_schema_gives(qty: str) -> None:
    offers = [
        Offer("TEA", Decimal(qty), (("SH", Decimal(qty)), ("BJ", Decimal("0")))),
        Offer("茶/绿", Decimal("3"), (("SH", Decimal("1.5")), ("BJ", Decimal("1.5")))),
    ]
    items = [
        ChannelStockRow(sku=o.sku, available_to_sell=o.available_to_sell, warehouses=dict(o.warehouses)) for o in offers
    ]
    schema = ChannelStockOut(channel="shop", items=items)
    assert channel_stock("shop", offers) == schema.model_dump_json().encode()
    assert (
        channel_stock("shop", offers) == schema.model_dump_json().encode()
    )  # the second time from what was remembered
