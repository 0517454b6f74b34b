"""Connector types, found through the ``hub.connectors`` entry point group.

The hub's own connectors register there too (see pyproject.toml), so a third-party
package adds a connector exactly the way ours are added.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Any

from hub.connectors.sdk.base import Connector

__all__ = ["connector_type", "connector_types"]


@cache
def connector_types() -> dict[str, type[Connector[Any, Any]]]:
    found: dict[str, type[Connector[Any, Any]]] = {}
    for entry in entry_points(group="hub.connectors"):
        cls = entry.load()
        if not (isinstance(cls, type) and issubclass(cls, Connector)):
            raise TypeError(f"entry point {entry.name} = {entry.value} is not a Connector subclass")
        found[cls.type_name] = cls
    return found


def connector_type(name: str) -> type[Connector[Any, Any]] | None:
    return connector_types().get(name)
