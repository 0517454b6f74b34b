"""Every response the API tests receive must be one the OpenAPI document promises.

The test clients (``client``, ``api``, ``anon`` in the conftests) carry :func:`check` as a
response hook: whatever a test asks, the answer's status must be documented for that
operation, its media type must be the documented one, and its body must validate against
the documented schema. So a new endpoint, or a new refusal of an old one, cannot ship
without the document saying so — the tests that exercise it fail first.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.api.app import create_app

__all__ = ["check", "operation_for"]


@cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = create_app().openapi()
    return document


@cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(_document(), default_specification=DRAFT202012)
    return Registry().with_resource("urn:hub-openapi", resource)


@cache
def _templates() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    found = []
    for path, item in _document()["paths"].items():
        regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        found.append((re.compile(regex), path, item))
    # Literal segments win over parameters (/v1/stock/moves before /v1/stock/{sku}).
    found.sort(key=lambda entry: entry[1].count("{"))
    return found


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The documented operation answering ``method path``, if any."""
    for regex, template, item in _templates():
        if regex.match(path) and method.lower() in item:
            return template, item[method.lower()]
    return None


def _validate(schema: dict[str, Any], body: Any, where: str) -> None:
    validator = Draft202012Validator(_resolve(schema), registry=_registry())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message[:200]}" for e in errors[:5])
        raise AssertionError(f"{where}: the body does not match the documented schema: {detail}")


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    # Refs in the document are relative to it; point them at the registered copy.
    text = json.dumps(schema).replace('"#/components/', '"urn:hub-openapi#/components/')
    resolved: dict[str, Any] = json.loads(text)
    return resolved


async def check(response: httpx.Response) -> None:
    """Fail unless ``response`` is documented for its operation (status, media type, body)."""
    request = response.request
    # Match on the path as sent: a SKU with "/" in it travels as %2F, one segment.
    path = request.url.raw_path.decode("ascii").split("?")[0]
    if not path.startswith("/v1/") and path not in ("/healthz", "/readyz", "/metrics"):
        return
    found = operation_for(request.method, path)
    if found is None:
        if response.status_code in (404, 405):  # no such route or method: not an operation
            return
        raise AssertionError(f"{request.method} {path} answered {response.status_code} but is not documented")
    template, operation = found
    where = f"{request.method} {template} → {response.status_code}"
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{where}: status not documented (has {sorted(operation['responses'])})"
    content = documented.get("content") or {}
    if not content or response.status_code in (204, 304):
        return
    media = response.headers.get("content-type", "").split(";")[0].strip()
    by_type = {key.split(";")[0].strip(): value for key, value in content.items()}
    assert media in by_type, f"{where}: media type {media!r} not documented (has {sorted(content)})"
    schema = by_type[media].get("schema")
    if schema and media.endswith("json"):
        await response.aread()
        _validate(schema, response.json(), where)
