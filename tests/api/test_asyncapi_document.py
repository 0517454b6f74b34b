"""``hub events schema`` writes an AsyncAPI 3.0 document that the official JSON Schema accepts.

The schema (tests/specs/asyncapi/3.0.0.json) lists component keys as patternProperties
without forbidding others: a component whose key breaks the spec's key rule is not
refused, it is silently left unchecked. So the key rule is checked here too, which is
what makes the schema check strict.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from tests.api.test_event_catalogue import write_schemas

SCHEMA = json.loads((Path(__file__).parents[1] / "specs" / "asyncapi" / "3.0.0.json").read_text())
#: AsyncAPI 3.0.0, Components Object: "objects that MUST use keys that match the regular expression".
COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9\.\-_]+$")
#: Keywords whose values are data, not schemas: a "$ref" inside them is no reference.
DATA_KEYWORDS = {"examples", "example", "default", "const", "enum"}
#: Keywords whose values map names to schemas.
NAMED_SCHEMAS = {"properties", "patternProperties", "definitions", "$defs", "dependencies"}


def _offline(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)


REGISTRY: Registry[Any] = Registry(retrieve=_offline).with_resource(SCHEMA["$id"], Resource.from_contents(SCHEMA))
VALIDATOR = jsonschema.Draft7Validator(
    SCHEMA, registry=REGISTRY, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
)


def problems(document: dict[str, Any]) -> list[str]:
    """Everything wrong with an AsyncAPI 3.0 document: schema errors, bad keys, dangling $refs."""
    found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    for section, named in document.get("components", {}).items():
        found += [f"components/{section}: key {key!r}" for key in named if not COMPONENT_KEY.match(key)]
    for where, ref in _refs(document):
        try:
            _pointer(document, ref)
        except (KeyError, IndexError, ValueError):
            found.append(f"{where}: $ref {ref} points nowhere")
    return found


def _refs(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from _refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, f"{where}/{index}")


def _pointer(document: Any, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"not a reference inside the document: {ref}")
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        written: dict[str, Any] = write_schemas(tmp_path_factory.mktemp("schemas"), monkeypatch)["asyncapi.json"]
    return written


def test_the_written_document_is_valid_asyncapi_3(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert problems(document) == []


def test_channels_operations_and_messages_point_at_each_other(document: dict[str, Any]) -> None:
    messages, schemas = document["components"]["messages"], document["components"]["schemas"]
    assert messages and schemas
    for name, operation in document["operations"].items():
        channel = _pointer(document, operation["channel"]["$ref"])
        assert channel is document["channels"][name]
        for reference in operation["messages"]:
            assert reference["$ref"].startswith(f"{operation['channel']['$ref']}/messages/")
            message = _pointer(document, _pointer(document, reference["$ref"])["$ref"])
            assert message in messages.values()
            assert _pointer(document, message["payload"]["$ref"]) in schemas.values()
    assert {ref.rsplit("/", 1)[1] for _, ref in _refs(document) if "/components/messages/" in ref} == set(messages)


def test_what_faststream_would_have_named_it_is_refused(document: dict[str, Any]) -> None:
    # The key faststream gives a message ("<topic>:Message") breaks the key rule, and a
    # message under such a key escapes the schema: both must show here.
    broken = copy.deepcopy(document)
    name, message = next(iter(broken["components"]["messages"].items()))
    del broken["components"]["messages"][name]
    broken["components"]["messages"][name.replace(".Message", ":Message")] = message | {"colour": "red"}
    found = problems(broken)
    assert any("key" in problem and ":Message" in problem for problem in found), found
    assert any("points nowhere" in problem for problem in found), found

    unknown_field = copy.deepcopy(document)
    next(iter(unknown_field["components"]["messages"].values()))["colour"] = "red"
    assert any("colour" in problem for problem in problems(unknown_field))


def test_every_reference_in_the_vendored_schema_resolves_offline() -> None:
    unresolved = []
    count = 0
    for base, ref in _schema_refs(SCHEMA, SCHEMA["$id"]):
        count += 1
        try:
            REGISTRY.resolver(base_uri=base).lookup(ref)
        except Exception as error:  # any failure to resolve is what this test reports
            unresolved.append(f"{ref} (from {base}): {error!r}")
    assert count > 100 and unresolved == []


def _schema_refs(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """``(base URI, $ref)`` of every reference in a draft-07 schema, skipping data keywords."""
    if isinstance(node, dict):
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
        if isinstance(node.get("$ref"), str):
            yield base, node["$ref"]
        for key, value in node.items():
            if key in NAMED_SCHEMAS and isinstance(value, dict):
                for schema in value.values():  # keyed by names, which may well be "enum" or "$ref"
                    yield from _schema_refs(schema, base)
            elif key not in DATA_KEYWORDS and key != "$ref":
                yield from _schema_refs(value, base)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_refs(item, base)
