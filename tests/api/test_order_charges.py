"""Shipping charges and order-level discounts: on the sales order, then lines of its first invoice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.receivables import SO, VAT13, balance, postings
from tests.api.support import assert_problem, create, events, sales_body, writes_nothing

INV = "/v1/invoices"
SHIPPING = {"kind": "shipping", "description": "Standard shipping", "amount": "10.00"}
DISCOUNT = {"kind": "discount", "description": "WELCOME5", "amount": "5.00"}


def charged(
    *charges: dict[str, Any], lines: tuple[tuple[str, float, str], ...] = (("TEA", 2, "20"),), **extra: Any
) -> dict[str, Any]:
    return sales_body(*lines, charges=list(charges), **extra)


async def ship_all(api: httpx.AsyncClient, order: dict[str, Any]) -> None:
    ship = [{"sku": line["sku"], "qty": line["qty"]} for line in order["lines"]]
    await create(api, f"{SO}/{order['id']}/shipments", {"lines": ship})


def charge_lines(invoice: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            x["sku"],
            x["kind"],
            x["description"],
            x["qty"],
            x["unit_price"],
            x["tax_code"],
            x["net"],
            x["tax"],
            x["gross"],
        )
        for x in invoice["lines"]
    ]


async def test_an_order_carries_its_charges_in_its_total(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    order = await create(seed, SO, charged(SHIPPING | {"tax_code": "VAT13"}, DISCOUNT))
    assert order["total"] == "45.00"  # 2 × 20 + 10 − 5
    assert [
        (c["line_no"], c["kind"], c["description"], c["amount"], c["tax_code"], c["invoiced"]) for c in order["charges"]
    ] == [
        (1, "shipping", "Standard shipping", "10.00", "VAT13", False),
        (2, "discount", "WELCOME5", "5.00", None, False),
    ]
    assert (await seed.get(f"{SO}/{order['id']}")).json() == order
    plain = await create(seed, SO, sales_body(("TEA", 1, "5")))
    assert plain["charges"] == [] and plain["total"] == "5.00"


BAD_CHARGES = [
    ([{"kind": "discount", "description": "too much", "amount": "40.01"}], "charges[0].amount"),
    ([SHIPPING, DISCOUNT | {"amount": "50.01"}], "charges[1].amount"),
    ([SHIPPING | {"tax_code": "VAT99"}], "charges[0].tax_code"),
    ([SHIPPING | {"amount": "-1.00"}], "charges[0].amount"),
    ([SHIPPING | {"amount": 10}], "charges[0].amount"),
    ([SHIPPING | {"kind": "handling"}], "charges[0].kind"),
    ([SHIPPING | {"description": ""}], "charges[0].description"),
    ([{"kind": "shipping", "amount": "1.00"}], "charges[0].description"),
]


async def test_bad_charges_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: Any) -> None:
    async with writes_nothing(seed):
        for charges, field in BAD_CHARGES:
            with subtests.test(field=field, charges=charges):
                assert_problem(await seed.post(SO, json=charged(*charges)), 422, field)


async def test_a_retried_order_with_charges_is_replayed(seed: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "so-charges-1"}
    first = await seed.post(SO, json=charged(SHIPPING), headers=headers)
    again = await seed.post(SO, json=charged(SHIPPING), headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(await seed.post(SO, json=charged(DISCOUNT), headers=headers), 422)


async def test_the_first_invoice_bills_the_charges_and_posts_them(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    body = charged(SHIPPING | {"tax_code": "VAT13"}, DISCOUNT | {"tax_code": "VAT13"})
    body["lines"][0]["tax_code"] = "VAT13"
    order = await create(seed, SO, body)
    await ship_all(seed, order)
    seen = len(await events(seed))
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    assert charge_lines(invoice) == [
        ("TEA", "goods", None, 2, "20.00", "VAT13", "40.00", "5.20", "45.20"),
        (None, "shipping", "Standard shipping", 1, "10.00", "VAT13", "10.00", "1.30", "11.30"),
        (None, "discount", "WELCOME5", 1, "-5.00", "VAT13", "-5.00", "-0.65", "-5.65"),
    ]
    assert (invoice["net_total"], invoice["tax_total"], invoice["total"], invoice["amount_due"]) == (
        "45.00",
        "5.85",
        "50.85",
        "50.85",
    )
    [entry] = await postings(seed, "invoice", invoice["id"])
    assert sorted(entry) == sorted(
        [
            ("ar", "50.85", "0.00", None, "C1"),
            ("revenue", "0.00", "40.00", "VAT13", None),
            ("shipping_revenue", "0.00", "10.00", "VAT13", None),
            ("discounts", "5.00", "0.00", "VAT13", None),
            ("output_tax", "0.00", "5.85", "VAT13", None),
        ]
    )
    issued = [e for e in (await events(seed))[seen:] if e["type"] == "invoice.issued"]
    assert [(x["sku"], x["kind"], x["gross"]) for x in issued[0]["payload"]["lines"]] == [
        ("TEA", "goods", "45.20"),
        (None, "shipping", "11.30"),
        (None, "discount", "-5.65"),
    ]
    after = (await seed.get(f"{SO}/{order['id']}")).json()
    assert [c["invoiced"] for c in after["charges"]] == [True, True]


async def test_charges_go_on_one_invoice_and_a_void_frees_them(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, charged(SHIPPING, DISCOUNT, lines=(("TEA", 2, "20"), ("RICE", 1, "3"))))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    first = await create(seed, INV, {"sales_order": order["id"]})
    assert [x["kind"] for x in first["lines"]] == ["goods", "shipping", "discount"] and first["total"] == "45.00"
    await create(seed, f"{INV}/{first['id']}/void", status=200)
    assert [c["invoiced"] for c in (await seed.get(f"{SO}/{order['id']}")).json()["charges"]] == [False, False]
    again = await create(seed, INV, {"sales_order": order["id"]})
    assert [x["kind"] for x in again["lines"]] == ["goods", "shipping", "discount"]
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "RICE", "qty": 1}]})
    last = await create(seed, INV, {"sales_order": order["id"]})
    assert [x["kind"] for x in last["lines"]] == ["goods"] and last["total"] == "3.00"
    assert await balance(seed, "ar", "C1") == Decimal("48.00")  # the order's total
    assert await balance(seed, "shipping_revenue") == Decimal("-10.00")
    assert await balance(seed, "discounts") == Decimal("5.00")


async def test_a_discount_waits_for_an_invoice_it_does_not_take_below_zero(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, charged(DISCOUNT | {"amount": "30.00"}, lines=(("TEA", 2, "20"), ("RICE", 1, "3"))))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "RICE", "qty": 1}]})
    first = await create(seed, INV, {"sales_order": order["id"]})
    assert [x["kind"] for x in first["lines"]] == ["goods"] and first["total"] == "3.00"
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    second = await create(seed, INV, {"sales_order": order["id"]})
    assert [x["kind"] for x in second["lines"]] == ["goods", "discount"] and second["total"] == "10.00"


@pytest.mark.parametrize("amount", ["50.85", "20.00"])
async def test_a_credit_note_by_amount_credits_the_charges_in_proportion(seed: httpx.AsyncClient, amount: str) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    body = charged(SHIPPING | {"tax_code": "VAT13"}, DISCOUNT | {"tax_code": "VAT13"})
    body["lines"][0]["tax_code"] = "VAT13"
    order = await create(seed, SO, body)
    await ship_all(seed, order)
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    note = await create(seed, "/v1/credit-notes", {"invoice": invoice["id"], "amount": amount, "reason": "goodwill"})
    assert note["total"] == amount
    kinds = [x["kind"] for x in note["lines"]]
    assert kinds == ["goods", "shipping", "discount"] and note["lines"][2]["sku"] is None
    assert sum(Decimal(x["gross"]) for x in note["lines"]) == Decimal(amount)
    assert Decimal(note["lines"][2]["gross"]) < 0
    if amount == invoice["total"]:
        assert await balance(seed, "shipping_revenue") == await balance(seed, "discounts") == 0
        assert await balance(seed, "revenue") == await balance(seed, "output_tax") == 0
    [entry] = await postings(seed, "credit_note", note["id"])
    assert {role for role, *_ in entry} >= {"revenue", "shipping_revenue", "discounts", "output_tax", "ar"}
    after = (await seed.get(f"{INV}/{invoice['id']}")).json()
    assert Decimal(after["amount_due"]) == Decimal("50.85") - Decimal(amount)
    assert await balance(seed, "ar", "C1") == Decimal(after["amount_due"])


async def test_a_tax_exempt_customers_charges_are_exempt(
    seed: httpx.AsyncClient,
) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    await create(seed, "/v1/customers", {"code": "NGO", "name": "Exempt", "tax_exempt": True})
    order = await create(seed, SO, charged(SHIPPING | {"tax_code": "VAT13"}, customer="NGO"))
    await ship_all(seed, order)
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    assert charge_lines(invoice)[1] == (
        None,
        "shipping",
        "Standard shipping",
        1,
        "10.00",
        "EXEMPT",
        "10.00",
        "0.00",
        "10.00",
    )


async def test_a_return_gives_back_the_goods_with_their_share_of_the_discount(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, charged(SHIPPING, DISCOUNT | {"amount": "8.00"}))
    await ship_all(seed, order)
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    assert invoice["total"] == "42.00"  # 40 + 10 − 8
    await create(seed, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
    [note] = (await seed.get("/v1/credit-notes", params={"customer": "C1"})).json()["items"]
    # One tin of two: 20.00 back, less half the discount (4.00); shipping stays billed.
    assert [(x["sku"], x["kind"], x["qty"], x["gross"]) for x in note["lines"]] == [
        ("TEA", "goods", 1, "20.00"),
        (None, "discount", None, "-4.00"),
    ]
    assert note["total"] == "16.00"
    assert (await seed.get(f"{INV}/{invoice['id']}")).json()["amount_due"] == "26.00"
    assert await balance(seed, "discounts") == Decimal("4.00")
