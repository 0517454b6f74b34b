"""``paginate`` reads every page once and stops a loop with a fatal error — by a repeated
page token (cursor APIs) or by the same page of records twice (page-number APIs)."""

from __future__ import annotations

import pytest

from hub.connectors.sdk.errors import FatalAPIError
from hub.connectors.sdk.pagination import Page, paginate

RECORDS = [{"id": n} for n in range(1, 8)]


async def _all(fetch) -> list[dict[str, int]]:  # type: ignore[no-untyped-def]
    return [item async for item in paginate(fetch)]


async def test_page_numbers_are_read_to_the_last_page() -> None:
    async def fetch(token: str | None) -> Page[dict[str, int]]:
        page = int(token or 1)
        items = RECORDS[(page - 1) * 3 : page * 3]
        return Page(items, str(page + 1) if page * 3 < len(RECORDS) else None)

    assert await _all(fetch) == RECORDS


async def test_a_server_answering_the_same_page_forever_is_a_loop_not_a_hang() -> None:
    asked: list[str | None] = []

    async def fetch(token: str | None) -> Page[dict[str, int]]:
        asked.append(token)  # ignores the page number, as a misconfigured endpoint does
        return Page(RECORDS[:3], str(int(token or 1) + 1))

    with pytest.raises(FatalAPIError, match="pagination loops"):
        await _all(fetch)
    assert asked == [None, "2"]


async def test_a_repeated_cursor_is_a_loop() -> None:
    async def fetch(token: str | None) -> Page[dict[str, int]]:
        return Page([{"id": len(token or "")}], "bb" if token else "a")

    with pytest.raises(FatalAPIError, match="came back twice"):
        await _all(fetch)
