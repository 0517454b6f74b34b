"""Sales invoices: tax on sales lines, issue from shipped quantities, void, lists, auto-invoicing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from hub.bootstrap import Hub
from tests.api.receivables import SO, VAT13, invoiced, postings, shipped
from tests.api.support import assert_problem, create, events, purchase, sales_body, sell, walk, writes_nothing

INV = "/v1/invoices"


# -- tax on sales orders ----------------------------------------------------------------------


async def test_a_sales_line_names_its_tax_code_and_an_order_may_include_tax(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    order = await sell(seed, ("TEA", 1, "5"), ("RICE", 1, "3"), prices_include_tax=True)
    assert order["prices_include_tax"] is True and [x["tax_code"] for x in order["lines"]] == [None, None]
    body = sales_body(("TEA", 1, "5"))
    body["lines"][0]["tax_code"] = "VAT13"
    order = await create(seed, SO, body)
    assert order["prices_include_tax"] is False and order["lines"][0]["tax_code"] == "VAT13"
    assert order["lines"][0]["invoiced"] == 0
    assert (await seed.get(f"{SO}/{order['id']}")).json() == order


async def test_an_unknown_tax_code_on_a_sales_line_is_refused_naming_it(seed: httpx.AsyncClient) -> None:
    body = sales_body(("TEA", 1, "5"), ("RICE", 1, "3"))
    body["lines"][1]["tax_code"] = "VAT99"
    async with writes_nothing(seed):
        assert_problem(await seed.post(SO, json=body), 422, "lines[1].tax_code")
        assert_problem(await seed.post(SO, json=sales_body(("TEA", 1, "5"), prices_include_tax="yes")), 422)


# -- issuing ------------------------------------------------------------------------------------


async def test_an_invoice_bills_what_shipped_taxed_per_line_and_posts_it(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    await create(seed, "/v1/customers", {"code": "NET10", "name": "Ten days", "payment_terms_days": 10})
    body = sales_body(("TEA", 3, "0.335"), ("RICE", 2, "1.115"), customer="NET10")
    body["lines"][0]["tax_code"] = "VAT13"
    order = await create(seed, SO, body)
    await create(
        seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 3}, {"sku": "RICE", "qty": 2}]}
    )
    seen = len(await events(seed))
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    # 3 × 0.335 = 1.005 → 1.01; tax 1.01 × 13 % = 0.1313 → 0.13. RICE is untaxed.
    assert [
        (
            x["sku"],
            x["qty"],
            x["unit_price"],
            x["discount"],
            x["tax_code"],
            x["tax_rate"],
            x["net"],
            x["tax"],
            x["gross"],
        )
        for x in invoice["lines"]
    ] == [
        ("TEA", 3, "0.335", "0.00", "VAT13", "0.13", "1.01", "0.13", "1.14"),
        ("RICE", 2, "1.115", "0.00", None, "0.00", "2.23", "0.00", "2.23"),
    ]
    assert (invoice["number"], invoice["customer"], invoice["currency"], invoice["status"]) == (
        "INV-000001",
        "NET10",
        "USD",
        "open",
    )
    assert (invoice["net_total"], invoice["tax_total"], invoice["total"], invoice["amount_due"]) == (
        "3.24",
        "0.13",
        "3.37",
        "3.37",
    )
    issued = date.fromisoformat(invoice["issue_date"])
    assert date.fromisoformat(invoice["due_date"]) == issued + timedelta(days=10)
    assert (await seed.get(f"{INV}/{invoice['id']}")).json() == invoice
    assert [x["invoiced"] for x in (await seed.get(f"{SO}/{order['id']}")).json()["lines"]] == [3, 2]
    assert await postings(seed, "invoice", invoice["id"]) == [
        [
            ("ar", "3.37", "0.00", None, "NET10"),
            ("revenue", "0.00", "1.01", "VAT13", None),
            ("output_tax", "0.00", "0.13", "VAT13", None),
            ("revenue", "0.00", "2.23", None, None),
        ]
    ]
    new = [e for e in (await events(seed))[seen:] if e["type"] != "journal.posted"]
    assert [e["type"] for e in new] == ["invoice.issued"]
    assert new[0]["aggregate_type"] == "invoice" and new[0]["aggregate_id"] == str(invoice["id"])
    assert new[0]["payload"]["number"] == "INV-000001" and new[0]["payload"]["total"] == "3.37"


async def test_the_product_tax_code_applies_unless_the_customer_is_exempt(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    await create(seed, "/v1/products", {"sku": "CUP", "name": "Cup", "tax_code": "VAT13"})
    await create(seed, "/v1/customers", {"code": "NGO", "name": "Exempt", "tax_exempt": True})
    await purchase(seed, [("CUP", 10, "1.00")])
    inclusive = await invoiced(seed, ("CUP", 1, "11.30"), prices_include_tax=True)
    assert [(x["tax_code"], x["net"], x["tax"], x["gross"]) for x in inclusive["lines"]] == [
        ("VAT13", "10.00", "1.30", "11.30")
    ]
    exempt = await invoiced(seed, ("CUP", 1, "10"), customer="NGO")
    assert [(x["tax_code"], x["tax_rate"], x["tax"]) for x in exempt["lines"]] == [("EXEMPT", "0.00", "0.00")]
    assert exempt["total"] == "10.00" and exempt["number"] == "INV-000002"


async def test_an_invoice_may_bill_some_lines_and_later_the_rest(seed: httpx.AsyncClient) -> None:
    order = await shipped(seed, ("TEA", 4, "5"), ("RICE", 2, "3"))
    first = await create(seed, INV, {"sales_order": order["id"], "lines": [{"sku": "TEA", "qty": 1}]})
    assert [(x["sku"], x["qty"]) for x in first["lines"]] == [("TEA", 1)]
    rest = await create(seed, INV, {"sales_order": order["id"]})
    assert [(x["sku"], x["qty"]) for x in rest["lines"]] == [("TEA", 3), ("RICE", 2)]
    async with writes_nothing(seed):
        body = assert_problem(await seed.post(INV, json={"sales_order": order["id"]}), 409)
        assert "nothing shipped" in body["detail"]


BAD_INVOICES: list[tuple[dict[str, Any], str]] = [
    ({"lines": [{"sku": "TEA", "qty": 3}]}, "lines[0].qty"),  # 2 shipped
    ({"lines": [{"sku": "RICE", "qty": 1}]}, "lines[0].qty"),  # on the order, never shipped
    ({"lines": [{"sku": "MUG", "qty": 1}]}, "lines[0].sku"),
    ({"lines": [{"sku": "TEA", "qty": 1}, {"sku": "TEA", "qty": 1}]}, "lines[1].sku"),
    ({"lines": [{"sku": "TEA", "qty": 0}]}, "lines[0].qty"),
    ({"lines": []}, "lines"),
    ({"sales_order": 424242}, "sales_order"),
    ({"sales_order": "1"}, "sales_order"),
    ({"sales_order": 0}, "sales_order"),
    ({"colour": "red"}, "colour"),
]


async def test_bad_invoices_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    order = await sell(seed, ("TEA", 5, "4"), ("RICE", 2, "6"))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    async with writes_nothing(seed):
        for change, field in BAD_INVOICES:
            with subtests.test(field=field, change=change):
                assert_problem(await seed.post(INV, json={"sales_order": order["id"]} | change), 422, field)
    assert (await seed.get(INV)).json()["items"] == []


async def test_a_retried_invoice_is_replayed_not_issued_twice(seed: httpx.AsyncClient) -> None:
    order = await shipped(seed, ("TEA", 2, "5"))
    headers = {"Idempotency-Key": "inv-1"}
    first = await seed.post(INV, json={"sales_order": order["id"]}, headers=headers)
    again = await seed.post(INV, json={"sales_order": order["id"]}, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len((await seed.get(INV)).json()["items"]) == 1
    other = await seed.post(
        INV, json={"sales_order": order["id"], "lines": [{"sku": "TEA", "qty": 1}]}, headers=headers
    )
    assert_problem(other, 422)


# -- void -------------------------------------------------------------------------------------


async def test_a_void_reverses_the_entry_and_frees_the_quantities(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 2, "5"))
    void = await create(seed, f"{INV}/{invoice['id']}/void", status=200)
    assert (void["status"], void["amount_due"]) == ("void", "0.00")
    assert (await seed.get(f"{SO}/{invoice['sales_order_id']}")).json()["lines"][0]["invoiced"] == 0
    original, reverse = await postings(seed, "invoice", invoice["id"])
    assert reverse == [(role, credit, debit, code, party) for role, debit, credit, code, party in original]
    assert (await events(seed))[-1]["type"] == "invoice.voided"
    again = await create(seed, INV, {"sales_order": invoice["sales_order_id"]})
    assert again["number"] == "INV-000002" and again["total"] == invoice["total"]
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{INV}/{invoice['id']}/void"), 409)
        assert_problem(await seed.post(f"{INV}/424242/void"), 404)


async def test_a_paid_invoice_cannot_be_voided(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 2, "5"))
    payment = {"customer": "C1", "amount": "1.00", "currency": "USD", "method": "cash"}
    await create(seed, "/v1/payments", payment | {"allocations": [{"invoice": invoice["id"], "amount": "1.00"}]})
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{INV}/{invoice['id']}/void"), 409)


async def test_a_retried_void_is_replayed(seed: httpx.AsyncClient) -> None:
    invoice = await invoiced(seed, ("TEA", 2, "5"))
    headers = {"Idempotency-Key": "void-1"}
    first = await seed.post(f"{INV}/{invoice['id']}/void", headers=headers)
    again = await seed.post(f"{INV}/{invoice['id']}/void", headers=headers)
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert len(await postings(seed, "invoice", invoice["id"])) == 2


# -- lists ---------------------------------------------------------------------------------------


async def test_invoices_are_listed_newest_first_by_customer_status_and_order(seed: httpx.AsyncClient) -> None:
    a = await invoiced(seed, ("TEA", 1, "5"))
    b = await invoiced(seed, ("TEA", 1, "5"), customer="C2")
    c = await invoiced(seed, ("RICE", 1, "5"))
    await create(seed, f"{INV}/{c['id']}/void", status=200)
    assert [x["id"] for x in await walk(seed, INV, limit=1)] == [c["id"], b["id"], a["id"]]
    assert [x["id"] for x in await walk(seed, INV, customer="C1")] == [c["id"], a["id"]]
    assert [x["id"] for x in await walk(seed, INV, status="void")] == [c["id"]]
    assert [x["id"] for x in await walk(seed, INV, sales_order=b["sales_order_id"])] == [b["id"]]
    assert_problem(await seed.get(INV, params={"status": "lost"}), 422, "status")
    assert_problem(await seed.get(INV, params={"sales_order": "x"}), 422, "sales_order")
    assert_problem(await seed.get(f"{INV}/424242"), 404)


# -- HUB_AUTO_INVOICE ----------------------------------------------------------------------------


async def test_with_auto_invoice_every_shipment_issues_its_invoice(seed: httpx.AsyncClient, hub: Hub) -> None:
    hub.settings.auto_invoice = True
    order = await sell(seed, ("TEA", 3, "5"), ("RICE", 2, "3"))
    await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 1}]})
    await create(
        seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}, {"sku": "RICE", "qty": 2}]}
    )
    found = await walk(seed, INV, sales_order=order["id"])
    assert [[(x["sku"], x["qty"]) for x in invoice["lines"]] for invoice in reversed(found)] == [
        [("TEA", 1)],
        [("TEA", 2), ("RICE", 2)],
    ]
    types = [e["type"] for e in await events(seed)]
    assert types.count("invoice.issued") == 2
    assert types.index("invoice.issued") > types.index("shipment.created")
