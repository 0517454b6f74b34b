"""Webhook signatures: the vendor's HMAC over the raw body is the authentication.

Shopify ``X-Shopify-Hmac-SHA256``, WooCommerce ``X-WC-Webhook-Signature``, Xero
``x-xero-signature``, QuickBooks ``intuit-signature`` and Frappe
``X-Frappe-Webhook-Signature`` are all base64(HMAC-SHA256(raw body, secret)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hub.connectors.sdk.errors import WebhookRejected

__all__ = ["WebhookDelivery", "hmac_sha256_base64", "verify_hmac_base64"]


def hmac_sha256_base64(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_hmac_base64(secret: str, body: bytes, signature: str | None, header: str) -> None:
    """Raise :class:`WebhookRejected` unless ``signature`` signs ``body`` with ``secret``."""
    if not signature:
        raise WebhookRejected(f"missing {header} header")
    if not hmac.compare_digest(hmac_sha256_base64(secret, body), signature.strip()):
        raise WebhookRejected(f"{header} does not match the body")


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified webhook: the vendor's delivery id (for dedupe), its topic and body."""

    id: str
    topic: str
    payload: Any
    headers: Mapping[str, str]
