"""What a Shopify connector instance is configured with, and how it maps to the hub."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator

from hub.connectors.sdk.base import ConnectorConfig
from hub.connectors.sdk.channels import AllocationIn, ChannelMappings

__all__ = ["AllocationIn", "ShopifyConfig", "ShopifyMappings", "location_gid"]


def location_gid(value: str) -> str:
    """Accept a location's numeric id or its GID; keep the GID."""
    value = value.strip()
    return value if value.startswith("gid://") else f"gid://shopify/Location/{value}"


class ShopifyConfig(ConnectorConfig):
    #: e.g. ``https://my-shop.myshopify.com`` — a simulator or a test store is just another URL.
    shop_url: Annotated[str, Field(pattern=r"^https?://[^/\s]+(:\d+)?/?$")]
    access_token: SecretStr
    #: The app's secret: webhooks are signed with it (X-Shopify-Hmac-SHA256).
    webhook_secret: SecretStr
    api_version: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")] = "2025-01"
    #: How often orders changed since the cursor are pulled (the webhook safety net).
    #: A poll costs a few points of the store's 100/s: even every second is affordable.
    poll_interval_seconds: Annotated[int, Field(ge=1, le=86_400)] = 60
    #: How often stock is fully reconciled against the store (drift repair).
    stock_reconcile_interval_seconds: Annotated[int, Field(ge=60, le=7 * 86_400)] = 3600

    @field_validator("shop_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class ShopifyMappings(ChannelMappings):
    """Locations (numeric ids or GIDs) → warehouses and the allocation, as every
    storefront declares them (:mod:`hub.connectors.sdk.channels`); plus the customer."""

    #: The hub customer Shopify orders are booked to (default: one named after the connector).
    customer: str | None = None

    @classmethod
    def location_id(cls, value: str) -> str:
        return location_gid(value)
