"""Customer payments: allocations, partial payments, customer credit allocated later, refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.receivables import balance, invoiced, postings
from tests.api.support import assert_problem, create, events, walk, writes_nothing

PAY = "/v1/payments"


def payment(amount: str, *allocations: tuple[int, str], **extra: Any) -> dict[str, Any]:
    return {
        "customer": "C1",
        "amount": amount,
        "currency": "USD",
        "date": "2026-12-01",
        "method": "bank_transfer",
        "reference": "TT-1",
        "allocations": [{"invoice": invoice, "amount": amount} for invoice, amount in allocations],
        **extra,
    }


async def test_a_partial_payment_leaves_the_rest_due_and_posts_bank_and_ar(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 4, "5"))  # 20.00
    paid = await create(seed, PAY, payment("15.00", (invoice["id"], "12.00")))
    assert (paid["number"], paid["amount"], paid["allocated"], paid["unallocated"], paid["date"]) == (
        "PAY-000001",
        "15.00",
        "12.00",
        "3.00",
        "2026-12-01",
    )
    assert [(a["invoice_id"], a["amount"]) for a in paid["allocations"]] == [(invoice["id"], "12.00")]
    assert (await seed.get(f"{PAY}/{paid['id']}")).json() == paid
    after = (await seed.get(f"/v1/invoices/{invoice['id']}")).json()
    assert (after["status"], after["paid"], after["amount_due"]) == ("partially_paid", "12.00", "8.00")
    assert await postings(seed, "payment", paid["id"]) == [
        [
            ("bank", "15.00", "0.00", None, None),
            ("ar", "0.00", "12.00", None, "C1"),
            ("customer_credit", "0.00", "3.00", None, "C1"),
        ]
    ]
    [event] = [e for e in await events(seed) if e["type"] == "payment.received"]
    assert event["aggregate_type"] == "payment" and event["payload"]["allocations"] == [
        {"invoice_id": invoice["id"], "amount": "12.00", "amount_due": "8.00", "status": "partially_paid"}
    ]
    # AR equals the open invoices' amounts due; the unallocated 3.00 is customer credit.
    assert await balance(seed, "ar", "C1") == Decimal("8.00")
    assert await balance(seed, "customer_credit", "C1") == Decimal("-3.00")


async def test_customer_credit_is_allocated_later(seed: httpx.AsyncClient) -> None:
    first = await invoiced(seed, ("TEA", 1, "5"))
    second = await invoiced(seed, ("TEA", 1, "7"))
    paid = await create(seed, PAY, payment("10.00"))
    assert paid["unallocated"] == "10.00" and paid["allocations"] == []
    body = {"allocations": [{"invoice": first["id"], "amount": "5.00"}, {"invoice": second["id"], "amount": "4.00"}]}
    after = await create(seed, f"{PAY}/{paid['id']}/allocations", body)
    assert (after["allocated"], after["unallocated"]) == ("9.00", "1.00")
    assert [(a["invoice_id"], a["amount"]) for a in after["allocations"]] == [
        (first["id"], "5.00"),
        (second["id"], "4.00"),
    ]
    assert (await seed.get(f"/v1/invoices/{first['id']}")).json()["status"] == "paid"
    assert (await seed.get(f"/v1/invoices/{second['id']}")).json()["amount_due"] == "3.00"
    _received, allocated = await postings(seed, "payment", paid["id"])
    assert allocated == [("customer_credit", "9.00", "0.00", None, "C1"), ("ar", "0.00", "9.00", None, "C1")]
    assert (await events(seed))[-1]["type"] == "payment.allocated"
    async with writes_nothing(seed):  # 1.00 left to allocate, 3.00 due
        more = {"allocations": [{"invoice": second["id"], "amount": "2.00"}]}
        assert_problem(await seed.post(f"{PAY}/{paid['id']}/allocations", json=more), 422, "allocations[0].amount")
        assert_problem(await seed.post(f"{PAY}/424242/allocations", json=more), 404)


async def test_bad_payments_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    mine = await invoiced(seed, ("TEA", 2, "5"))  # 10.00
    theirs = await invoiced(seed, ("TEA", 1, "5"), customer="C2")
    void = await invoiced(seed, ("RICE", 1, "5"))
    await create(seed, f"/v1/invoices/{void['id']}/void", status=200)
    yen = await invoiced(seed, ("RICE", 1, "500"), currency="JPY")
    cases: list[tuple[dict[str, Any], str]] = [
        (payment("20.00", (mine["id"], "10.01")), "allocations[0].amount"),  # more than due
        (payment("5.00", (mine["id"], "6.00")), "allocations[0].amount"),  # more than paid
        (payment("10.00", (mine["id"], "6.00"), (mine["id"], "4.01")), "allocations[1].amount"),
        (payment("5.00", (void["id"], "1.00")), "allocations[0].invoice"),
        (payment("5.00", (theirs["id"], "1.00")), "allocations[0].invoice"),
        (payment("5.00", (yen["id"], "1")), "allocations[0].invoice"),
        (payment("5.00", (424242, "1.00")), "allocations[0].invoice"),
        (payment("5.00", (mine["id"], "0")), "allocations[0].amount"),
        (payment("5.00", (mine["id"], "1.005")), "allocations[0].amount"),
        (payment("0"), "amount"),
        (payment("1.001"), "amount"),
        (payment("5", currency="JPY") | {"amount": "5.5"}, "amount"),
        (payment("5", customer="NOPE"), "customer"),
        (payment("5", customer="ACME"), "customer"),
        (payment("5", currency="usd"), "currency"),
        (payment("5", date="yesterday"), "date"),
        (payment("5", method=""), "method"),
        ({k: v for k, v in payment("5").items() if k != "method"}, "method"),
    ]
    async with writes_nothing(seed):
        for body, field in cases:
            with subtests.test(field=field, body=body):
                assert_problem(await seed.post(PAY, json=body), 422, field)
    assert await walk(seed, PAY) == []
    assert (await seed.get(f"/v1/invoices/{mine['id']}")).json()["amount_due"] == "10.00"


async def test_a_retried_payment_is_replayed_and_lists_filter(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 2, "5"))
    body = payment("4.00", (invoice["id"], "4.00"))
    first = await seed.post(PAY, json=body, headers={"Idempotency-Key": "pay-1"})
    again = await seed.post(PAY, json=body, headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert (await seed.get(f"/v1/invoices/{invoice['id']}")).json()["paid"] == "4.00"
    assert_problem(await seed.post(PAY, json=payment("5.00"), headers={"Idempotency-Key": "pay-1"}), 422)
    other = await create(seed, PAY, payment("1.00", customer="C2"))
    assert [x["id"] for x in await walk(seed, PAY, limit=1)] == [other["id"], first.json()["id"]]
    assert [x["id"] for x in await walk(seed, PAY, customer="C1")] == [first.json()["id"]]
    assert_problem(await seed.get(f"{PAY}/424242"), 404)
    later = {"allocations": [{"invoice": invoice["id"], "amount": "1.00"}]}
    headers = {"Idempotency-Key": "alloc-1"}
    once = await seed.post(f"{PAY}/{other['id']}/allocations", json=later, headers=headers)
    assert_problem(once, 422, "allocations[0].invoice")  # C2's payment, C1's invoice
    paid = await create(seed, PAY, payment("2.00"))
    once = await seed.post(f"{PAY}/{paid['id']}/allocations", json=later, headers={"Idempotency-Key": "alloc-2"})
    twice = await seed.post(f"{PAY}/{paid['id']}/allocations", json=later, headers={"Idempotency-Key": "alloc-2"})
    assert once.status_code == twice.status_code == 201 and twice.json() == once.json()
    assert (await seed.get(f"/v1/invoices/{invoice['id']}")).json()["paid"] == "5.00"
