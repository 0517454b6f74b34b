"""Helpers for the payables tests: tax rates, received orders, bills."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from hub.bootstrap import Hub
from hub.core import handlers
from hub.core.commands import NewTaxRate
from tests.api.support import create

PO = "/v1/purchase-orders"
BILLS = "/v1/bills"


async def tax_rate(hub: Hub, code: str, rate: str) -> None:
    """A tax rate, written through the handler (the tax-rates endpoint lives on main)."""
    async with hub.uow() as uow:
        await handlers.create_tax_rate(NewTaxRate(code=code, name=code, rate=Decimal(rate)), uow)
        await uow.commit()


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


async def journal_of(hub: Hub, source_type: str, source_id: int) -> list[tuple[str, Decimal, str | None]]:
    """The lines ``(role, debit − credit, party)`` a document posted, read from the database."""
    from sqlalchemy import select

    from hub.db import tables as t

    async with hub.uow.reader() as uow:
        rows = await uow.session.execute(
            select(t.journal_lines.c.role, t.journal_lines.c.debit, t.journal_lines.c.credit, t.journal_lines.c.party)
            .join(t.journal_entries, t.journal_entries.c.id == t.journal_lines.c.entry_id)
            .where(t.journal_entries.c.source_type == source_type, t.journal_entries.c.source_id == source_id)
            .order_by(t.journal_lines.c.id)
        )
        return [(role, debit - credit, party) for role, debit, credit, party in rows]
