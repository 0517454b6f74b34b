"""Every document the connector sends is valid against Shopify's own 2025-01 schema,
and affordable: under the 1,000-point single-query limit with the variables it uses."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from hub.connectors.shopify.cost import requested_cost
from hub.connectors.shopify.queries import DOCUMENTS
from hub.connectors.shopify.schema import admin_schema

#: The largest variables the connector sends each document with.
LARGEST = {
    "Shop": {},
    "Locations": {"first": 100},
    "Variants": {"first": 40, "levels": 5},
    "Orders": {"first": 50, "query": "updated_at:>'2026-01-01T00:00:00Z'"},
    "Order": {"id": "gid://shopify/Order/1"},
    "InventorySet": {"input": {"name": "available", "reason": "correction", "quantities": []}},
    "FulfillmentCreate": {"fulfillment": {"lineItemsByFulfillmentOrder": []}},
}


def test_every_document_is_listed_with_its_largest_variables() -> None:
    assert set(LARGEST) == set(DOCUMENTS)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates_against_the_vendor_schema(name: str) -> None:
    errors = validate(admin_schema(), parse(DOCUMENTS[name]))
    assert [error.message for error in errors] == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_costs_less_than_a_single_query_may(name: str) -> None:
    assert 0 < requested_cost(DOCUMENTS[name], LARGEST[name]) < 1000
