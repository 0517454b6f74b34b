"""Line discounts: an amount off one sales order line, taken by its invoices and credit notes to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.api.receivables import SO, VAT13, balance
from tests.api.support import assert_problem, create, events, sales_body, writes_nothing

INV = "/v1/invoices"


def discounted(discount: str, qty: float = 3, price: str = "10", **extra: Any) -> dict[str, Any]:
    body = sales_body(("TEA", qty, price), **extra)
    body["lines"][0]["discount"] = discount
    return body


async def ship(api: httpx.AsyncClient, order: dict[str, Any], qty: float) -> None:
    await create(api, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": qty}]})


def goods(invoice: dict[str, Any]) -> tuple[Any, ...]:
    [line] = invoice["lines"]
    return (line["qty"], line["unit_price"], line["discount"], line["net"], line["tax"], line["gross"])


async def test_an_orders_line_discount_comes_off_its_total_and_its_events(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, discounted("1.00"))
    assert order["total"] == "29.00"
    assert order["lines"][0]["discount"] == "1.00"
    assert (await seed.get(f"{SO}/{order['id']}")).json() == order
    [confirmed] = [e for e in await events(seed) if e["type"] == "sales_order.confirmed"][-1:]
    assert confirmed["payload"]["lines"] == [{"sku": "TEA", "qty": 3, "price": "10.00", "discount": "1.00"}]
    plain = await create(seed, SO, sales_body(("TEA", 1, "5")))
    assert plain["lines"][0]["discount"] == "0.00"


async def test_a_discount_over_the_line_is_refused_naming_it(seed: httpx.AsyncClient) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.post(SO, json=discounted("30.01")), 422, "lines[0].discount")
        assert_problem(await seed.post(SO, json=discounted("-1.00")), 422, "lines[0].discount")
        assert_problem(await seed.post(SO, json=discounted(1)), 422, "lines[0].discount")  # type: ignore[arg-type]


async def test_invoices_of_a_line_take_its_discount_in_proportion_and_the_last_takes_the_rest(
    seed: httpx.AsyncClient,
) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    body = discounted("1.00")
    body["lines"][0]["tax_code"] = "VAT13"
    order = await create(seed, SO, body)
    await ship(seed, order, 1)
    first = await create(seed, INV, {"sales_order": order["id"]})
    # 1.00 ÷ 3 = 0.33 on the first unit: 9.67 net, 1.26 tax (13 %, half-up).
    assert goods(first) == (1, "10.00", "0.33", "9.67", "1.26", "10.93")
    await create(seed, f"{INV}/{first['id']}/void", status=200)
    await ship(seed, order, 2)
    again = await create(seed, INV, {"sales_order": order["id"], "lines": [{"sku": "TEA", "qty": 1}]})
    assert goods(again)[2:4] == ("0.33", "9.67"), "a void gave its share back"
    last = await create(seed, INV, {"sales_order": order["id"]})
    assert goods(last)[:4] == (2, "10.00", "0.67", "19.33")
    issued = [e for e in await events(seed) if e["type"] == "invoice.issued"][-1]
    assert issued["payload"]["lines"][0]["discount"] == "0.67"
    # The live invoices come to the order's goods less its discount, to the cent.
    assert Decimal(again["net_total"]) + Decimal(last["net_total"]) == Decimal("29.00")
    assert await balance(seed, "revenue") == Decimal("-29.00")


async def test_a_tax_inclusive_orders_discount_includes_tax(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/tax-rates", VAT13)
    body = discounted("2.26", qty=2, price="11.30", prices_include_tax=True)
    body["lines"][0]["tax_code"] = "VAT13"
    order = await create(seed, SO, body)
    assert order["total"] == "20.34"
    await ship(seed, order, 2)
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    assert goods(invoice) == (2, "11.30", "2.26", "18.00", "2.34", "20.34")
    assert invoice["total"] == order["total"]


async def test_returned_units_are_credited_at_their_discounted_price(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, discounted("1.00"))
    await ship(seed, order, 3)
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    assert invoice["total"] == "29.00"
    credited = []
    for _ in range(3):
        await create(seed, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
        notes = (await seed.get("/v1/credit-notes", params={"customer": "C1"})).json()["items"]
        credited.append(notes[0]["total"])  # newest first
    # Each unit gives back 10.00 less its third of the discount; together the whole invoice.
    assert credited == ["9.67", "9.66", "9.67"]
    after = (await seed.get(f"{INV}/{invoice['id']}")).json()
    assert after["amount_due"] == "0.00"
    assert await balance(seed, "revenue") == 0 and await balance(seed, "ar", "C1") == 0


async def test_reducing_a_line_keeps_the_discount_of_the_units_left(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, discounted("3.00", qty=4))
    reduced = await create(seed, f"{SO}/{order['id']}/reduce", {"lines": [{"sku": "TEA", "qty": 3}]}, status=200)
    assert (reduced["lines"][0]["discount"], reduced["total"]) == ("2.25", "27.75")
    await ship(seed, reduced, 3)
    invoice = await create(seed, INV, {"sales_order": order["id"]})
    assert goods(invoice)[2:4] == ("2.25", "27.75") and invoice["total"] == reduced["total"]


async def test_the_sales_report_counts_revenue_after_the_line_discount(seed: httpx.AsyncClient) -> None:
    order = await create(seed, SO, discounted("1.00"))
    await ship(seed, order, 3)
    await create(seed, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
    response = await seed.get("/v1/reports/sales", params={"group_by": "sku"})
    [row] = [row for row in response.json()["rows"] if row["sku"] == "TEA"]
    # Shipped 3 for 29.00, one back at 9.67 (rounded, as the sales report rounds each move).
    assert (row["qty"], row["net_revenue"]) == (2, "19.33")
