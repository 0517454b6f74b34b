"""The payables keep the books true: AP is what the open bills have due less prepayments,
and the inventory account is still the ledger's stock value after landed costs."""

from __future__ import annotations

from decimal import Decimal

import httpx

from tests.api.payables import BILLS, bill_body, received, tax_rate
from tests.api.support import create, sell, walk


def balance(entries: list[dict], role: str, party: str | None = None) -> Decimal:  # type: ignore[type-arg]
    return sum(
        (
            Decimal(line["debit"]) - Decimal(line["credit"])
            for entry in entries
            for line in entry["lines"]
            if line["role"] == role and (party is None or line["party"] == party)
        ),
        Decimal(0),
    )


async def test_ap_and_inventory_agree_with_the_documents(seed: httpx.AsyncClient) -> None:
    await tax_rate(seed, "VAT13", "0.13")
    po = await received(
        seed,
        ("TEA", 10, "2.26"),
        ("MUG", 4, "5.00"),
        prices_include_tax=True,
        lines=[
            {"sku": "TEA", "qty": 10, "unit_cost": "2.26", "tax_code": "VAT13"},
            {"sku": "MUG", "qty": 4, "unit_cost": "5.00"},
        ],
    )
    open_ = await create(seed, BILLS, bill_body(po, ("TEA", 6, "2.26"), ref="1"))
    held = await create(seed, BILLS, bill_body(po, ("TEA", 4, "3.00"), ref="2"))
    await create(seed, BILLS, bill_body(po, ("MUG", 4, "5.05"), ref="3"))
    payment = {"supplier": "ACME", "currency": "USD", "date": "2026-12-02", "method": "bank"}
    await create(
        seed,
        "/v1/supplier-payments",
        payment | {"amount": "20.00", "allocations": [{"bill": open_["id"], "amount": "13.56"}]},
    )
    await create(
        seed, "/v1/expenses", {"category": "storage", "amount": "7.00", "date": "2026-12-02", "supplier": "ACME"}
    )
    order = await sell(seed, ("MUG", 3, "9"))
    await create(seed, f"/v1/sales-orders/{order['id']}/shipments", {"lines": [{"sku": "MUG", "qty": 3}]})
    freight = {
        "category": "freight",
        "amount": "3.10",
        "date": "2026-12-03",
        "landed_on_receipt": po["receipts"][-1]["id"],
    }
    await create(seed, "/v1/expenses", freight)

    journal = await walk(seed, "/v1/journal", cursor_param="after", limit=500)
    bills = await walk(seed, BILLS)
    payments = await walk(seed, "/v1/supplier-payments")
    expenses = await walk(seed, "/v1/expenses", supplier="ACME")
    posted_due = sum((Decimal(b["amount_due"]) for b in bills if b["status"] != "on_hold"), Decimal(0))
    prepaid = sum((Decimal(p["unallocated"]) for p in payments), Decimal(0))
    owed_for_expenses = sum((Decimal(e["total"]) for e in expenses), Decimal(0))
    assert -balance(journal, "ap", "ACME") == posted_due + owed_for_expenses - prepaid
    assert held["status"] == "on_hold"
    # Unbilled goods stay in grni: the seed's order (77.50) and the 4 TEA of the held bill
    # at 2.00 each (2.26 net of 13 % tax).
    assert -balance(journal, "grni") == Decimal("77.50") + Decimal("8")
    stock_value = Decimal(0)
    for sku in ("TEA", "RICE", "MUG"):
        stock_value += Decimal((await seed.get(f"/v1/stock/{sku}")).json()["stock_value"])
    assert balance(journal, "inventory") == stock_value
