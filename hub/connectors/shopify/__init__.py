"""Shopify connector (Admin GraphQL API)."""
