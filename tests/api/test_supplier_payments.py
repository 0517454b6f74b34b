"""/v1/supplier-payments: paying suppliers' bills, in part or in full, and prepaying."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.payables import BILLS, PO, bill_body, journal_of, received
from tests.api.support import assert_problem, create, events, no_new_events, walk, writes_nothing

PAY = "/v1/supplier-payments"


def pay_body(amount: Any, *allocations: tuple[int, str], supplier: str = "ACME", **extra: Any) -> dict[str, Any]:
    return {
        "supplier": supplier,
        "amount": amount,
        "currency": "USD",
        "date": "2026-12-05",
        "method": "bank_transfer",
        "reference": "TT-1",
        "allocations": [{"bill": bill, "amount": part} for bill, part in allocations],
    } | extra


async def a_bill(api: httpx.AsyncClient, ref: str = "B1", cost: str = "2.00") -> dict[str, Any]:
    """A bill of 10 TEA from the seed's received order (20.00 when the cost is 2.00)."""
    [order] = (await api.get(PO, params={"status": "received"})).json()["items"]
    return await create(api, BILLS, bill_body(order, ("TEA", 10, cost), ref=ref))


async def test_partial_then_full_payment_with_a_prepayment(seed: httpx.AsyncClient) -> None:
    bill = await a_bill(seed)
    first = await create(seed, PAY, pay_body("8.00", (bill["id"], "8.00")))
    assert (first["number"], first["unallocated"], first["allocations"]) == (
        "SPAY-000001",
        "0.00",
        [{"bill_id": bill["id"], "amount": "8.00", "date": first["date"]}],
    )
    assert (await seed.get(f"{BILLS}/{bill['id']}")).json()["status"] == "partially_paid"
    second = await create(seed, PAY, pay_body("15.00", (bill["id"], "12.00")))
    assert second["unallocated"] == "3.00"
    paid = (await seed.get(f"{BILLS}/{bill['id']}")).json()
    assert (paid["status"], paid["amount_paid"], paid["amount_due"]) == ("paid", "20.00", "0.00")
    assert await journal_of(seed, "supplier_payment", second["id"]) == [
        ("ap", Decimal(15), "ACME"),
        ("bank", Decimal(-15), None),
    ]
    made = [e for e in await events(seed) if e["type"] == "supplier_payment.made"][-1]
    assert made["payload"]["unallocated"] == "3.00" and made["aggregate_id"] == str(second["id"])
    assert (await seed.get(f"{PAY}/{second['id']}")).json() == second
    assert [p["id"] for p in await walk(seed, PAY, supplier="ACME", limit=1)] == [second["id"], first["id"]]
    assert await walk(seed, PAY, supplier="OTHER") == []
    # A payment with no allocations at all is a prepayment.
    ahead = await create(seed, PAY, pay_body("50.00"))
    assert (ahead["allocations"], ahead["unallocated"]) == ([], "50.00")


async def test_bad_payments_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    bill = await a_bill(seed)
    held = await a_bill(seed, "HELD", cost="3.00")
    await create(seed, "/v1/suppliers", {"code": "OTHER", "name": "Other"})
    other_order = await received(seed, ("TEA", 1, "1.00"), supplier="OTHER")
    other = await create(seed, BILLS, bill_body(other_order, ("TEA", 1, "1.00"), ref="O1"))
    cases: list[tuple[dict[str, Any], str]] = [
        (pay_body("30.00", (bill["id"], "25.00")), "allocations[0].amount"),  # more than due
        (pay_body("5.00", (bill["id"], "6.00")), "allocations[0].amount"),  # more than paid
        (pay_body("20.00", (bill["id"], "10.00"), (bill["id"], "10.00")), "allocations[1].bill"),
        (pay_body("20.00", (held["id"], "10.00")), "allocations[0].bill"),  # on hold
        (pay_body("1.00", (other["id"], "1.00")), "allocations[0].bill"),  # another supplier's
        (pay_body("1.00", (999999, "1.00")), "allocations[0].bill"),
        (pay_body("1.00", (bill["id"], "1.00"), currency="EUR"), "currency"),
        (pay_body("1.00", (bill["id"], "0")), "allocations[0].amount"),
        (pay_body("0"), "amount"),
        (pay_body("-5.00"), "amount"),
        (pay_body("1.005"), "amount"),  # finer than cents
        (pay_body(1), "amount"),  # money is a string
        (pay_body("1.00", supplier="NOPE"), "supplier"),
        (pay_body("1.00", date="05/12/2026"), "date"),
        (pay_body("1.00", currency="usd"), "currency"),
        (pay_body("1.00", method=""), "method"),
    ]
    async with writes_nothing(seed):
        for body, field in cases:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post(PAY, json=body), 422, field)
        assert_problem(await seed.get(f"{PAY}/999999"), 404)
    assert (await seed.get(f"{BILLS}/{bill['id']}")).json()["amount_due"] == "20.00"


async def test_a_payment_replays_with_its_idempotency_key(seed: httpx.AsyncClient) -> None:
    bill = await a_bill(seed)
    body = pay_body("5.00", (bill["id"], "5.00"))
    first = await seed.post(PAY, json=body, headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == 201
    async with writes_nothing(seed):
        again = await seed.post(PAY, json=body, headers={"Idempotency-Key": "pay-1"})
        assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (201, first.content, "true")
        changed = await seed.post(PAY, json=body | {"amount": "6.00"}, headers={"Idempotency-Key": "pay-1"})
        assert_problem(changed, 422, "Idempotency-Key")
    assert (await seed.get(f"{BILLS}/{bill['id']}")).json()["amount_due"] == "15.00"


async def test_a_prepayment_is_allocated_to_bills_later(seed: httpx.AsyncClient) -> None:
    ahead = await create(seed, PAY, pay_body("30.00"))
    bill = await a_bill(seed)
    path = f"{PAY}/{ahead['id']}/allocations"
    journal = await walk(seed, "/v1/journal", cursor_param="after")
    later = await create(seed, path, {"allocations": [{"bill": bill["id"], "amount": "20.00"}]}, status=200)
    # Dated the day it was made, not the payment's day.
    today = datetime.now(UTC).date().isoformat()
    assert (later["unallocated"], later["allocations"]) == (
        "10.00",
        [{"bill_id": bill["id"], "amount": "20.00", "date": today}],
    )
    assert (await seed.get(f"{BILLS}/{bill['id']}")).json()["status"] == "paid"
    assert await walk(seed, "/v1/journal", cursor_param="after") == journal
    [event] = [e for e in await events(seed) if e["type"] == "supplier_payment.allocated"]
    assert event["payload"]["unallocated"] == "10.00"
    other = await a_bill(seed, "B2")
    async with writes_nothing(seed):
        too_much = {"allocations": [{"bill": other["id"], "amount": "10.01"}]}
        assert_problem(await seed.post(path, json=too_much), 422, "allocations[0].amount")
        assert_problem(await seed.post(path, json={"allocations": []}), 422, "allocations")
        assert_problem(await seed.post(f"{PAY}/999999/allocations", json=too_much), 404)
    body = {"allocations": [{"bill": other["id"], "amount": "10.00"}]}
    first = await seed.post(path, json=body, headers={"Idempotency-Key": "alloc-1"})
    again = await seed.post(path, json=body, headers={"Idempotency-Key": "alloc-1"})
    assert (first.status_code, again.content, again.headers["Idempotent-Replayed"]) == (200, first.content, "true")
    assert (await seed.get(f"{BILLS}/{other['id']}")).json()["amount_due"] == "10.00"
