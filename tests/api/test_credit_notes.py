"""Credit notes: units or an amount of an invoice given back, applied to what is due, from returns too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.receivables import SO, VAT13, balance, invoiced, postings
from tests.api.support import assert_problem, create, events, sales_body, walk, writes_nothing

CN = "/v1/credit-notes"
PAY = {"customer": "C1", "currency": "USD", "method": "cash"}


async def _vat_invoice(api: httpx.AsyncClient, *lines: tuple[str, float, str]) -> dict[str, Any]:
    await create(api, "/v1/tax-rates", VAT13)
    body = sales_body(*lines)
    for line in body["lines"]:
        line["tax_code"] = "VAT13"
    order = await create(api, SO, body)
    ship = [{"sku": line["sku"], "qty": line["qty"]} for line in order["lines"]]
    await create(api, f"{SO}/{order['id']}/shipments", {"lines": ship})
    return await create(api, "/v1/invoices", {"sales_order": order["id"]})


async def test_units_credited_reduce_what_is_due_and_reverse_revenue_and_tax(seed: httpx.AsyncClient) -> None:
    invoice = await _vat_invoice(seed, ("TEA", 3, "0.335"))  # net 1.01, tax 0.13, gross 1.14
    one = await create(seed, CN, {"invoice": invoice["id"], "lines": [{"sku": "TEA", "qty": 1}], "reason": "damaged"})
    # 1 × 0.335 → 0.34; tax 0.0442 → 0.04.
    assert [(x["sku"], x["qty"], x["net"], x["tax"], x["gross"]) for x in one["lines"]] == [
        ("TEA", 1, "0.34", "0.04", "0.38")
    ]
    assert (one["number"], one["total"], one["applied"], one["unapplied"], one["reason"]) == (
        "CN-000001",
        "0.38",
        "0.38",
        "0.00",
        "damaged",
    )
    assert (await seed.get(f"{CN}/{one['id']}")).json() == one
    after = (await seed.get(f"/v1/invoices/{invoice['id']}")).json()
    assert (after["amount_due"], after["credited"], after["status"]) == ("0.76", "0.38", "partially_paid")
    assert await postings(seed, "credit_note", one["id"]) == [
        [
            ("revenue", "0.34", "0.00", "VAT13", None),
            ("output_tax", "0.04", "0.00", "VAT13", None),
            ("ar", "0.00", "0.38", None, "C1"),
        ]
    ]
    # The last two units take what is left of the line: 1.01 − 0.34 and 0.13 − 0.04, not 2 × 0.335 priced again.
    rest = await create(seed, CN, {"invoice": invoice["id"], "lines": [{"sku": "TEA", "qty": 2}], "reason": "all"})
    assert [(x["net"], x["tax"]) for x in rest["lines"]] == [("0.67", "0.09")]
    done = (await seed.get(f"/v1/invoices/{invoice['id']}")).json()
    assert (done["amount_due"], done["credited"], done["lines"][0]["credited_qty"]) == ("0.00", "1.14", 3)
    assert await balance(seed, "output_tax") == 0 and await balance(seed, "ar") == 0
    [event] = [
        e for e in await events(seed) if e["type"] == "credit_note.issued" and e["aggregate_id"] == str(one["id"])
    ]
    assert event["payload"]["invoice_id"] == invoice["id"] and event["payload"]["applied"] == "0.38"


async def test_credit_past_what_is_due_is_left_as_customer_credit(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 2, "5"))  # 10.00, untaxed
    allocation = [{"invoice": invoice["id"], "amount": "8.00"}]
    await create(seed, "/v1/payments", PAY | {"amount": "8.00", "allocations": allocation})
    note = await create(seed, CN, {"invoice": invoice["id"], "amount": "5.00", "reason": "late delivery"})
    assert (note["applied"], note["unapplied"]) == ("2.00", "3.00")
    assert [(x["sku"], x["qty"], x["net"], x["tax"]) for x in note["lines"]] == [("TEA", None, "5.00", "0.00")]
    paid = (await seed.get(f"/v1/invoices/{invoice['id']}")).json()
    assert (paid["status"], paid["amount_due"]) == ("paid", "0.00")
    assert await postings(seed, "credit_note", note["id"]) == [
        [
            ("revenue", "5.00", "0.00", None, None),
            ("ar", "0.00", "2.00", None, "C1"),
            ("customer_credit", "0.00", "3.00", None, "C1"),
        ]
    ]
    assert await balance(seed, "ar", "C1") == 0 and await balance(seed, "customer_credit", "C1") == Decimal("-3")


async def test_an_amount_is_shared_over_the_lines_and_never_passes_what_is_left(seed: httpx.AsyncClient) -> None:
    invoice = await _vat_invoice(seed, ("TEA", 1, "10"), ("RICE", 1, "20"))  # 11.30 + 22.60 = 33.90
    note = await create(seed, CN, {"invoice": invoice["id"], "amount": "10.00", "reason": "goodwill"})
    assert [(x["sku"], x["net"], x["tax"], x["gross"]) for x in note["lines"]] == [
        ("TEA", "2.95", "0.38", "3.33"),
        ("RICE", "5.90", "0.77", "6.67"),
    ]
    rest = await create(seed, CN, {"invoice": invoice["id"], "amount": "23.90", "reason": "all of it"})
    assert rest["total"] == "23.90"
    assert await balance(seed, "revenue") == 0 and await balance(seed, "output_tax") == 0
    async with writes_nothing(seed):
        assert_problem(
            await seed.post(CN, json={"invoice": invoice["id"], "amount": "0.01", "reason": "x"}), 422, "amount"
        )


async def test_a_return_of_invoiced_goods_issues_its_credit_note(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 4, "5"))
    order_id = invoice["sales_order_id"]
    lines = [{"sku": "TEA", "qty": 1, "restock": True}, {"sku": "TEA", "qty": 1, "restock": False}]
    ret = await create(seed, f"{SO}/{order_id}/returns", {"lines": lines})
    [note] = await walk(seed, CN, invoice=invoice["id"])
    assert (note["return_id"], note["total"], note["reason"]) == (
        ret["returns"][0]["id"],
        "10.00",
        f"return {ret['returns'][0]['id']}",
    )
    assert [(x["sku"], x["qty"]) for x in note["lines"]] == [("TEA", 2)]
    assert (await seed.get(f"/v1/invoices/{invoice['id']}")).json()["amount_due"] == "10.00"
    # Nothing left to bill: the two kept are invoiced, the two back are credited.
    assert_problem(await seed.post("/v1/invoices", json={"sales_order": order_id}), 409)


async def test_a_return_of_goods_not_yet_invoiced_credits_nothing(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, sales_body(("TEA", 4, "5")))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 4}]})
    await create(seed, "/v1/invoices", {"sales_order": order["id"], "lines": [{"sku": "TEA", "qty": 2}]})
    await create(seed, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 2, "restock": True}]})
    assert await walk(seed, CN) == []
    await create(seed, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
    [note] = await walk(seed, CN)
    assert [(x["sku"], x["qty"]) for x in note["lines"]] == [("TEA", 1)]


BAD_NOTES: list[tuple[dict[str, Any], str]] = [
    ({"lines": [{"sku": "TEA", "qty": 3}]}, "lines[0].qty"),
    ({"lines": [{"sku": "RICE", "qty": 1}]}, "lines[0].sku"),
    ({"lines": [{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": 1}]}, "lines[1].sku"),
    ({"lines": [{"sku": "TEA", "qty": 0}]}, "lines[0].qty"),
    ({"amount": "10.01"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "1.005"}, "amount"),
    ({"amount": 1}, "amount"),
    ({"lines": [{"sku": "TEA", "qty": 1}], "amount": "1"}, "amount"),
    ({}, "lines"),
    ({"invoice": 424242, "amount": "1"}, "invoice"),
    ({"reason": ""}, "reason"),
]


async def test_bad_credit_notes_are_refused_naming_the_field(
    seed: httpx.AsyncClient, subtests: pytest.Subtests
) -> None:
    invoice = await invoiced(seed, ("TEA", 2, "5"))
    void = await invoiced(seed, ("RICE", 1, "5"))
    await create(seed, f"/v1/invoices/{void['id']}/void", status=200)
    async with writes_nothing(seed):
        for change, field in BAD_NOTES:
            with subtests.test(field=field, change=change):
                body = {"invoice": invoice["id"], "reason": "r"} | change
                if "lines" not in body and "amount" not in body and field != "lines":
                    body["amount"] = "1"
                assert_problem(await seed.post(CN, json=body), 422, field)
        assert_problem(await seed.post(CN, json={"invoice": void["id"], "amount": "1", "reason": "r"}), 422, "invoice")
    assert await walk(seed, CN) == []


async def test_a_retried_credit_note_is_replayed_and_lists_filter(seed: httpx.AsyncClient) -> None:
    a = await invoiced(seed, ("TEA", 2, "5"))
    b = await invoiced(seed, ("TEA", 2, "5"), customer="C2")
    body = {"invoice": a["id"], "amount": "1.00", "reason": "r"}
    first = await seed.post(CN, json=body, headers={"Idempotency-Key": "cn-1"})
    again = await seed.post(CN, json=body, headers={"Idempotency-Key": "cn-1"})
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    other = await create(seed, CN, {"invoice": b["id"], "amount": "2.00", "reason": "r"})
    assert [x["id"] for x in await walk(seed, CN, limit=1)] == [other["id"], first.json()["id"]]
    assert [x["id"] for x in await walk(seed, CN, customer="C2")] == [other["id"]]
    assert [x["id"] for x in await walk(seed, CN, invoice=a["id"])] == [first.json()["id"]]
    assert_problem(await seed.get(f"{CN}/424242"), 404)
