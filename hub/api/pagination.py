"""Opaque keyset cursors (the sort key of the last row of a page, base64url-encoded JSON), and ids in paths.

Document ids are 32-bit integers on every database: a larger number in a path or cursor
names no record, and must be answered as such rather than overflow the driver.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import Path, Query

from hub.api.problems import Problem

__all__ = ["MAX_ID", "Cursor", "DocumentId", "Limit", "decode", "encode"]

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern="^[A-Za-z0-9_-]*$",
        description="next_cursor of the previous page; empty or absent: the first page",
    ),
]

#: The largest id a document (order, transfer, count, alert) can have.
MAX_ID = 2**31 - 1
DocumentId = Annotated[int, Path(ge=1, le=MAX_ID, description="the document's id")]


def encode(key: Any) -> str | None:
    if key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode(cursor: str | None, kind: type) -> Any:
    if not cursor:  # absent or empty: from the start
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if kind is tuple and isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            return tuple(value)
        in_range = not isinstance(value, int) or 0 <= value <= MAX_ID
        if isinstance(value, kind) and not isinstance(value, bool) and in_range:
            return value
    except ValueError:
        pass
    raise Problem(
        422,
        "Invalid request",
        "cursor is not one this endpoint gave out",
        slug="invalid-input",
        errors=[{"field": "cursor", "message": "not a cursor from this endpoint"}],
    )
