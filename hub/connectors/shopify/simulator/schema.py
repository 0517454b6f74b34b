"""The vendor's Admin GraphQL schema (2025-01), loaded once per process.

The simulator executes against Shopify's own introspection result rather than a
hand-written schema, so a query that passes here is one Shopify accepts: field names,
arguments, nullability and list-vs-connection shapes are the vendor's. Building the
schema takes a fraction of a second; it is cached because every simulator shares it.
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


def _default_path() -> Path:
    # the specs sit beside the checkout: <somewhere>/shared/specs next to <somewhere>/main
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "specs" / "shopify" / f"admin_schema_{API_VERSION}.json.gz"
        if candidate.exists():
            return candidate
    return Path("/work/shared/specs/shopify") / f"admin_schema_{API_VERSION}.json.gz"


#: Override with ``HUB_SHOPIFY_SCHEMA`` when the specs live elsewhere.
SCHEMA_PATH = Path(os.environ.get("HUB_SHOPIFY_SCHEMA") or _default_path())


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
