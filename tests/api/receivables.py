"""Helpers for the receivables API tests: ship and invoice, read an entry's postings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.api.support import create, sell, walk

SO = "/v1/sales-orders"
VAT13 = {"code": "VAT13", "name": "VAT 13%", "rate": "0.13"}


async def shipped(api: httpx.AsyncClient, *lines: tuple[str, float, str], **extra: Any) -> dict[str, Any]:
    """A sales order shipped in full: the order as it answers after shipping."""
    order = await sell(api, *lines, **extra)
    ship = [{"sku": line["sku"], "qty": line["qty"]} for line in order["lines"]]
    return await create(api, f"{SO}/{order['id']}/shipments", {"lines": ship})


async def invoiced(api: httpx.AsyncClient, *lines: tuple[str, float, str], **extra: Any) -> dict[str, Any]:
    """An invoice of a sales order shipped in full."""
    order = await shipped(api, *lines, **extra)
    return await create(api, "/v1/invoices", {"sales_order": order["id"]})


async def postings(api: httpx.AsyncClient, source_type: str, source_id: int) -> list[list[tuple[Any, ...]]]:
    """Each journal entry a document posted: its lines as (role, debit, credit, tax_code, party)."""
    entries = await walk(api, "/v1/journal", cursor_param="after", source_type=source_type, source_id=source_id)
    return [[(x["role"], x["debit"], x["credit"], x["tax_code"], x["party"]) for x in e["lines"]] for e in entries]


async def balance(api: httpx.AsyncClient, role: str, party: str | None = None) -> Decimal:
    """Σ debit − Σ credit of a role over the whole journal (of one party, if named)."""
    entries = await walk(api, "/v1/journal", cursor_param="after", limit=500)
    return sum(
        (
            Decimal(x["debit"]) - Decimal(x["credit"])
            for e in entries
            for x in e["lines"]
            if x["role"] == role and (party is None or x["party"] == party)
        ),
        Decimal(0),
    )
