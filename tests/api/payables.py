"""Helpers for the payables tests: tax rates, received orders, bills."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.api.support import create, walk

PO = "/v1/purchase-orders"
BILLS = "/v1/bills"


async def tax_rate(api: httpx.AsyncClient, code: str, rate: str) -> None:
    await create(api, "/v1/tax-rates", {"code": code, "name": code, "rate": rate})


async def received(api: httpx.AsyncClient, *lines: tuple[str, Any, str], **order: Any) -> dict[str, Any]:
    """A purchase order from ACME into SH, approved and received in full."""
    body = {
        "supplier": "ACME",
        "warehouse": "SH",
        "lines": [{"sku": sku, "qty": qty, "unit_cost": cost} for sku, qty, cost in lines],
    } | order
    po = await create(api, PO, body)
    await create(api, f"{PO}/{po['id']}/approve", status=200)
    accepted = [{"sku": sku, "accepted": qty} for sku, qty, _ in lines]
    return await create(api, f"{PO}/{po['id']}/receipts", {"lines": accepted})


def bill_body(po: dict[str, Any], *lines: tuple[str, Any, str], ref: str = "INV-1", **extra: Any) -> dict[str, Any]:
    return {
        "purchase_order": po["id"],
        "supplier_reference": ref,
        "date": "2026-12-01",
        "lines": [{"sku": sku, "qty": qty, "unit_cost": cost} for sku, qty, cost in lines],
    } | extra


async def journal_of(api: httpx.AsyncClient, source_type: str, source_id: int) -> list[tuple[str, Decimal, str | None]]:
    """The lines ``(role, debit − credit, party)`` of the entry a document posted (none: ``[]``)."""
    entries = await walk(api, "/v1/journal", cursor_param="after", source_type=source_type, source_id=source_id)
    return [
        (line["role"], Decimal(line["debit"]) - Decimal(line["credit"]), line["party"])
        for entry in entries
        for line in entry["lines"]
    ]
