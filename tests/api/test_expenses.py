"""/v1/expenses: freight, storage, selling and admin costs; freight landed onto a receipt's stock."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.payables import journal_of, received, tax_rate
from tests.api.support import assert_problem, create, events, no_new_events, sell, walk, writes_nothing

EXP = "/v1/expenses"


def expense(category: str, amount: Any, **extra: Any) -> dict[str, Any]:
    return {"category": category, "amount": amount, "date": "2026-12-03"} | extra


async def test_an_expense_posts_to_its_category(seed: httpx.AsyncClient) -> None:
    await tax_rate(seed, "VAT6", "0.06")
    billed = await create(seed, EXP, expense("storage", "100.00", tax_code="VAT6", supplier="ACME", reference="W-7"))
    assert (billed["number"], billed["amount"], billed["tax"], billed["total"]) == (
        "EXP-000001",
        "100.00",
        "6.00",
        "106.00",
    )
    assert (billed["supplier"], billed["reference"], billed["landed_on_receipt"]) == ("ACME", "W-7", None)
    assert await journal_of(seed, "expense", billed["id"]) == [
        ("expenses:storage", Decimal(100), None),
        ("input_tax", Decimal(6), None),
        ("ap", Decimal(-106), "ACME"),
    ]
    paid = await create(seed, EXP, expense("admin", "12.50"))
    assert await journal_of(seed, "expense", paid["id"]) == [
        ("expenses:admin", Decimal("12.5"), None),
        ("bank", Decimal("-12.5"), None),
    ]
    assert (await seed.get(f"{EXP}/{paid['id']}")).json() == paid
    assert [e["id"] for e in await walk(seed, EXP, limit=1)] == [paid["id"], billed["id"]]
    assert [e["id"] for e in await walk(seed, EXP, category="storage")] == [billed["id"]]
    assert [e["id"] for e in await walk(seed, EXP, supplier="ACME")] == [billed["id"]]
    recorded = [e for e in await events(seed) if e["type"] == "expense.recorded"]
    assert [e["payload"]["number"] for e in recorded] == ["EXP-000001", "EXP-000002"]


async def test_freight_landed_on_a_receipt_raises_the_average_cost(seed: httpx.AsyncClient) -> None:
    po = await received(seed, ("MUG", 10, "4.00"))
    receipt = po["receipts"][-1]["id"]
    order = await sell(seed, ("MUG", 5, "9"))
    await create(seed, f"/v1/sales-orders/{order['id']}/shipments", {"lines": [{"sku": "MUG", "qty": 5}]})
    freight = await create(seed, EXP, expense("freight", "10.00", supplier="ACME", landed_on_receipt=receipt))
    # 5 of the 10 mugs are still here: half the freight is capitalised, half went out with the others.
    assert (freight["landed_on_receipt"], freight["capitalised"], freight["expensed_to_cogs"]) == (
        receipt,
        "5.00",
        "5.00",
    )
    mug = (await seed.get("/v1/stock/MUG")).json()
    assert (mug["stock_value"], mug["average_cost"]) == ("25.00", "5.00")
    assert await journal_of(seed, "expense", freight["id"]) == [
        ("inventory", Decimal(5), None),
        ("cogs", Decimal(5), None),
        ("ap", Decimal(-10), "ACME"),
    ]
    landed = [
        m
        for m in await walk(seed, "/v1/stock/moves", cursor_param="after", sku="MUG")
        if m["reference"]["type"] == "expense"
    ]
    assert [(m["qty"], m["value"]) for m in landed] == [(0, "5.00")]


async def test_bad_expenses_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        (expense("freight", "0"), "amount"),
        (expense("freight", "-1"), "amount"),
        (expense("freight", "1.001"), "amount"),
        (expense("freight", 5), "amount"),
        (expense("", "1"), "category"),
        (expense("freight", "1", tax_code="NOPE"), "tax_code"),
        (expense("freight", "1", supplier="NOPE"), "supplier"),
        (expense("freight", "1", landed_on_receipt=999999), "landed_on_receipt"),
        (expense("freight", "1", landed_on_receipt=0), "landed_on_receipt"),
        (expense("freight", "1", date="tomorrow"), "date"),
        (expense("freight", "1", colour="red"), "colour"),
    ]
    async with writes_nothing(seed):
        for body, field in cases:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post(EXP, json=body), 422, field)
        assert_problem(await seed.get(f"{EXP}/999999"), 404)


async def test_an_expense_replays_with_its_idempotency_key(seed: httpx.AsyncClient) -> None:
    body = expense("selling", "30.00")
    first = await seed.post(EXP, json=body, headers={"Idempotency-Key": "exp-1"})
    assert first.status_code == 201
    async with writes_nothing(seed):
        again = await seed.post(EXP, json=body, headers={"Idempotency-Key": "exp-1"})
        assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (201, first.content, "true")
        assert_problem(await seed.post(EXP, json=body | {"amount": "31.00"}, headers={"Idempotency-Key": "exp-1"}), 422)
    assert len(await walk(seed, EXP)) == 1
