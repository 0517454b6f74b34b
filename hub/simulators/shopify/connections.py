"""Relay connections the way Shopify pages them: ``first``/``after``, ``last``/``before``, ``reverse``.

A cursor is base64 JSON ``{"last_id": …, "last_value": …}`` — the same shape Shopify's
opaque cursors decode to — so paging resumes *after a record in sort order*, not at an
offset: records inserted or re-sorted meanwhile (an order updated while a sync pages
by ``UPDATED_AT``) move exactly as they do on Shopify.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from graphql import GraphQLError

from hub.simulators.shopify.clock import iso
from hub.simulators.shopify.models import Node

__all__ = ["MAX_PAGE", "SortKey", "by_id", "connection", "first_of", "money"]

#: Shopify's ceiling on ``first`` / ``last``.
MAX_PAGE = 250

N = TypeVar("N", bound=Node)
SortKey = Callable[[Any], Any]


def by_id(record: Node) -> Any:
    return record.legacy_id


def _sortable(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


def _encode(record: Node, value: Any) -> str:
    raw = json.dumps({"last_id": record.legacy_id, "last_value": _sortable(value)}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return data["last_value"], int(data["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise GraphQLError("Invalid cursor for current pagination sort.", extensions={"code": "BAD_REQUEST"}) from error


def _page_size(args: Mapping[str, Any], name: str) -> int | None:
    size = args.get(name)
    if size is None:
        return None
    if not 0 <= size <= MAX_PAGE:
        raise GraphQLError(
            f"The value of '{name}' must be between 0 and {MAX_PAGE}.", extensions={"code": "BAD_REQUEST"}
        )
    return int(size)


def connection(records: Iterable[N], args: Mapping[str, Any], key: SortKey = by_id) -> dict[str, Any]:
    """One page of ``records`` as ``{edges, nodes, pageInfo}`` for the connection's arguments."""
    first, last = _page_size(args, "first"), _page_size(args, "last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    reverse = bool(args.get("reverse"))
    keyed = sorted(((_sortable(key(r)), r.legacy_id, r) for r in records), key=lambda t: (t[0], t[1]), reverse=reverse)

    def follows(entry: tuple[Any, int, N], cursor: tuple[Any, int]) -> bool:
        """Whether ``entry`` comes after the cursor's record in this sort order."""
        try:
            return (entry[0], entry[1]) < cursor if reverse else (entry[0], entry[1]) > cursor
        except TypeError as error:  # a cursor from another sort key
            raise GraphQLError(
                "Invalid cursor for current pagination sort.", extensions={"code": "BAD_REQUEST"}
            ) from error

    start, end = 0, len(keyed)
    if args.get("after"):
        after = _decode(args["after"])
        start = next((i for i, entry in enumerate(keyed) if follows(entry, after)), len(keyed))
    if args.get("before"):
        before = _decode(args["before"])
        end = next((i for i, entry in enumerate(keyed) if follows(entry, before) or entry[:2] == before), len(keyed))
    end = max(start, end)
    window = keyed[start:end]
    has_previous, has_next = start > 0, end < len(keyed)
    if first is not None:
        has_next = has_next or len(window) > first
        window = window[:first]
    if last is not None:
        has_previous = has_previous or len(window) > last
        window = window[len(window) - last :] if last else []
    edges = [{"cursor": _encode(record, value), "node": record} for value, _, record in window]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def first_of(records: list[N], args: Mapping[str, Any]) -> list[N]:
    """A plain list field with an optional ``first`` (``Order.fulfillments(first:)``)."""
    size = _page_size(args, "first")
    return records if size is None else records[:size]


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    """A ``MoneyBag``: the simulator's shop and presentment currencies are the same."""
    bag = {"amount": amount.quantize(Decimal("0.01")), "currencyCode": currency}
    return {"shopMoney": bag, "presentmentMoney": dict(bag)}
