"""Paging through a vendor's list endpoints, with the one check every paginator needs:
a loop — stop with an error rather than read forever. Two signs of one: a page token
seen twice (cursor APIs), or the same page of records twice in a row (page-number APIs —
WooCommerce, ERPNext, QuickBooks' ``startposition`` — whose next page number never
repeats while a server that ignores it answers the same page forever)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from hub.connectors.sdk.errors import FatalAPIError

__all__ = ["Page", "paginate"]

T = TypeVar("T")


class Page(Generic[T]):
    def __init__(self, items: list[T], next_token: str | None) -> None:
        self.items, self.next_token = items, next_token


async def paginate(fetch: Callable[[str | None], Awaitable[Page[T]]], *, max_pages: int = 100_000) -> AsyncIterator[T]:
    """Yield every item of every page; ``fetch(token)`` returns a page and the next token."""
    seen: set[str] = set()
    token: str | None = None
    last: str | None = None
    for _ in range(max_pages):
        page = await fetch(token)
        if page.items and page.next_token is not None:
            same = _fingerprint(page.items)
            if same == last:
                raise FatalAPIError(f"pagination loops: the page after {token!r} holds the records of the one before")
            last = same
        for item in page.items:
            yield item
        if page.next_token is None:
            return
        if page.next_token in seen:
            raise FatalAPIError(f"pagination loops: page token {page.next_token!r} came back twice")
        seen.add(page.next_token)
        token = page.next_token
    raise FatalAPIError(f"pagination did not end within {max_pages} pages")


def _fingerprint(items: Sequence[object]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, default=repr).encode()).hexdigest()
