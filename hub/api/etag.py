"""``ETag`` / ``If-None-Match`` for read endpoints whose body says everything.

The tag is strong: it is a hash of the exact bytes of the body, and a body is the same
bytes whenever what it says is the same (fields in a fixed order, numbers in one
form) — so a client or cache may even use it for range requests. Matching
``If-None-Match`` uses the weak comparison RFC 9110 prescribes for it: a ``W/`` tag a
cache weakened on the way still matches, and ``*`` matches any current body.

The body is still computed for a 304 (the tag is its hash); what a match saves is
sending and parsing it — for a storefront polling stock, most of the bytes.
"""

from __future__ import annotations

import hashlib

from fastapi import Request, Response

__all__ = ["NOT_MODIFIED", "etag_of", "json_with_etag"]

#: The OpenAPI ``responses`` entry of a route answered with :func:`json_with_etag`.
NOT_MODIFIED: dict[int | str, dict[str, object]] = {
    304: {"description": "Not modified: the ETag sent in If-None-Match still holds; no body"}
}

#: Clients may keep the body but must ask again (with the tag) before using it.
_CACHE_CONTROL = "no-cache"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in (tag.removeprefix("W/") for tag in tags)


def json_with_etag(request: Request, body: bytes) -> Response:
    """200 with ``body`` and its ``ETag``, or 304 with no body when the client has it already."""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": _CACHE_CONTROL}
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    return Response(content=body, media_type="application/json", headers=headers)
