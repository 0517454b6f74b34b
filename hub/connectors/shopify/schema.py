"""The vendor's Admin GraphQL schema (2025-01), loaded once per process.

Shipped in ``spec/`` (see its README). The connector computes each request's query
cost from it before sending; the simulator executes against it, so a query that
passes there is one Shopify accepts; tests validate every document against it.
Building it takes about half a second, so it is built once and cached.
"""

from __future__ import annotations

import gzip
import json
import os
from functools import cache
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

__all__ = ["API_VERSION", "SCHEMA_PATH", "admin_schema"]

API_VERSION = "2025-01"


#: Override with ``HUB_SHOPIFY_SCHEMA`` to use another copy of the introspection file.
SCHEMA_PATH = Path(
    os.environ.get("HUB_SHOPIFY_SCHEMA") or Path(__file__).parent / "spec" / f"admin_schema_{API_VERSION}.json.gz"
)


@cache
def admin_schema(path: Path = SCHEMA_PATH) -> GraphQLSchema:
    """Shopify's Admin schema, built from the gzipped introspection JSON."""
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        introspection = json.load(stream)
    schema = build_client_schema(introspection.get("data", introspection))
    # The vendor's schema has interface/implementation deprecation mismatches that
    # graphql-core's strict schema check rejects; Shopify itself serves it as is.
    schema._validation_errors = []
    return schema
