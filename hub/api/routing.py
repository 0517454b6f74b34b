"""What every request goes through before its endpoint sees it, in this order.

1. **The key.** A route that needs a scope checks the bearer key first: a missing or
   bad key is 401 (403 for too weak a scope) before a byte of the body is read, so an
   unauthenticated client learns nothing from how its body would have been judged.
2. **Parameters.** Every query and path value must be storable text: no control
   characters or lone surrogates anywhere (422 naming the parameter) — PostgreSQL
   cannot store ``NUL``, and no code or filter of the hub contains one.
3. **The body** (routes that take one): at most ``HUB_MAX_BODY_BYTES``, refused with
   413 as soon as the declared length or the bytes received pass it, never read whole;
   ``Content-Type`` must be JSON (415); the JSON must be well formed UTF-8, without
   ``NaN``/``Infinity``, nested at most :data:`MAX_DEPTH` deep (400 ``malformed-json``);
   and no string in it may hold ``NUL`` or a lone surrogate (422 naming the field).

FastAPI then parses the body this module already decoded (the request caches it), and
pydantic validates it against the endpoint's model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from hub.api.auth import authenticate, route_scope
from hub.api.problems import Problem

__all__ = ["MAX_DEPTH", "HubRoute"]

#: How deeply JSON may nest (the deepest document of the API nests four levels).
MAX_DEPTH = 32
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UNSTORABLE = frozenset(range(0x00, 0x20)) | frozenset(range(0xD800, 0xE000)) | {0x7F}


class HubRoute(APIRoute):
    """An :class:`APIRoute` that authenticates and guards the body before FastAPI reads it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        scope = route_scope(self.dependant)
        parses_json = self.body_field is not None
        declared = frozenset(_parameter_names(self.dependant))

        async def guarded(request: Request) -> Response:
            if scope is not None:
                await authenticate(request, scope)
            _check_parameters(request, declared)
            if request.method in _BODY_METHODS:
                body = await _read_limited(request, request.app.state.hub.settings.max_body_bytes)
                if parses_json and body:
                    _check_media_type(request)
                    request._json = _parse(body)  # FastAPI's request.json() returns it as is
            return await handler(request)

        return guarded


def _parameter_names(dependant: Dependant) -> list[str]:
    names = [param.alias for param in [*dependant.query_params, *dependant.path_params]]
    for sub in dependant.dependencies:
        names += _parameter_names(sub)
    return names


def _invalid(field: str, message: str) -> Problem:
    return Problem(
        422,
        "Invalid request",
        f"{field}: {message}",
        slug="invalid-input",
        errors=[{"field": field, "message": message}],
    )


def _bad_char(text: str) -> str | None:
    for char in text:
        if ord(char) in _UNSTORABLE:
            return f"U+{ord(char):04X}"
    return None


def _check_parameters(request: Request, declared: frozenset[str]) -> None:
    # Only the parameters the route reads: an unknown one is ignored, whatever it holds.
    for name, value in [*request.query_params.multi_items(), *request.path_params.items()]:
        if name in declared and isinstance(value, str) and (char := _bad_char(value)) is not None:
            raise _invalid(name, f"holds a control character ({char})")


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # the stream is spent: later readers take this
    return body


def _too_large(limit: int) -> Problem:
    return Problem(
        413, "Content too large", f"the request body is over {limit} bytes (HUB_MAX_BODY_BYTES)", slug="too-large"
    )


def _check_media_type(request: Request) -> None:
    header = request.headers.get("content-type")
    if header:
        message = Message()
        message["content-type"] = header
        subtype = message.get_content_subtype()
        if message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json")):
            return
    raise Problem(
        415,
        "Unsupported media type",
        f"the body must be JSON: send 'Content-Type: application/json' (got {header or 'none'})",
        slug="unsupported-media-type",
    )


def _malformed(detail: str) -> Problem:
    return Problem(400, "Malformed JSON", detail, slug="malformed-json")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("the request body is not valid UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _malformed(f"the request body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError:
        raise _malformed("the request body is not valid JSON") from None
    _check_tree(value)
    return value


def _check_tree(value: Any) -> None:
    """Depth and storable strings, iteratively (a deep document must not exhaust the stack)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _malformed(f"the request body nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, str):
            _check_string(node, path)
        elif isinstance(node, dict):
            for key, item in node.items():
                child = f"{path}.{key}" if path else str(key)
                _check_string(key, child)
                stack.append((item, child, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node))


def _check_string(text: str, path: str) -> None:
    # NUL and lone surrogates cannot be stored at all; other control characters are judged
    # by the field (a free-text field may hold a line break, a code may not).
    for char in text:
        point = ord(char)
        if point == 0 or 0xD800 <= point < 0xE000:
            raise _invalid(path or "body", f"holds a character that cannot be stored (U+{point:04X})")
