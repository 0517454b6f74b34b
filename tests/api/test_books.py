"""The books: tax rates, account roles → chart codes, and the journal the stock ledger posts to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.support import assert_problem, create, events, purchase, sell, walk, writes_nothing

SO = "/v1/sales-orders"


def _lines(entry: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(x["role"], x["account"], x["debit"], x["credit"]) for x in entry["lines"]]


async def _journal(api: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    return await walk(api, "/v1/journal", cursor_param="after", **params)


def _balance(entries: list[dict[str, Any]], role: str) -> Decimal:
    return sum(
        (Decimal(x["debit"]) - Decimal(x["credit"]) for e in entries for x in e["lines"] if x["role"] == role),
        Decimal(0),
    )


# -- tax rates --------------------------------------------------------------------------------


async def test_a_tax_rate_is_created_read_listed_and_announced(api: httpx.AsyncClient) -> None:
    rate = await create(api, "/v1/tax-rates", {"code": "VAT13", "name": "VAT 13%", "rate": "0.130"})
    assert {k: v for k, v in rate.items() if k != "created_at"} == {"code": "VAT13", "name": "VAT 13%", "rate": "0.13"}
    assert (await api.get("/v1/tax-rates/VAT13")).json() == rate
    await create(api, "/v1/tax-rates", {"code": "ZERO", "name": "Zero rated", "rate": "0"})
    assert [r["code"] for r in await walk(api, "/v1/tax-rates", limit=1)] == ["VAT13", "ZERO"]
    [event] = [e for e in await events(api) if e["type"] == "tax_rate.upserted" and e["aggregate_id"] == "VAT13"]
    assert event["payload"] == {"code": "VAT13", "name": "VAT 13%", "rate": "0.13"}
    assert_problem(await api.get("/v1/tax-rates/NOPE"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "T", "name": "Too much", "rate": "1.5"}, "rate"),
        ({"code": "T", "name": "A float", "rate": 0.13}, "rate"),
        ({"code": "T", "name": "Negative", "rate": "-0.1"}, "rate"),
        ({"code": "T", "name": "Empty", "rate": ""}, "rate"),
        ({"code": "T\u200b", "name": "Invisible", "rate": "0.1"}, "code"),
        ({"code": "T", "rate": "0.1"}, "name"),
    ],
)
async def test_a_bad_tax_rate_is_refused_naming_the_field(api: httpx.AsyncClient, body: dict, field: str) -> None:
    async with writes_nothing(api):
        assert_problem(await api.post("/v1/tax-rates", json=body), 422, field)
    assert (await api.get("/v1/tax-rates")).json()["items"] == []


async def test_a_taken_tax_code_is_409_and_a_retried_create_is_replayed(api: httpx.AsyncClient) -> None:
    body = {"code": "GST", "name": "GST", "rate": "0.1"}
    first = await api.post("/v1/tax-rates", json=body, headers={"Idempotency-Key": "gst-1"})
    again = await api.post("/v1/tax-rates", json=body, headers={"Idempotency-Key": "gst-1"})
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    async with writes_nothing(api):
        assert_problem(await api.post("/v1/tax-rates", json=body), 409, "code")


async def test_a_product_names_a_known_tax_code(api: httpx.AsyncClient) -> None:
    await create(api, "/v1/tax-rates", {"code": "VAT13", "name": "VAT 13%", "rate": "0.13"})
    async with writes_nothing(api):
        assert_problem(
            await api.post("/v1/products", json={"sku": "X", "name": "X", "tax_code": "VAT99"}), 422, "tax_code"
        )
    product = await create(api, "/v1/products", {"sku": "TEA", "name": "Tea", "tax_code": "VAT13"})
    assert product["tax_code"] == "VAT13"
    assert_problem(await api.patch("/v1/products/TEA", json={"tax_code": "VAT99"}), 422, "tax_code")
    cleared = await api.patch("/v1/products/TEA", json={"tax_code": None})
    assert cleared.status_code == 200 and cleared.json()["tax_code"] is None


async def test_customers_and_suppliers_carry_terms_and_tax_exemption(api: httpx.AsyncClient) -> None:
    customer = await create(api, "/v1/customers", {"code": "EXP", "name": "Exporter", "tax_exempt": True})
    assert (customer["tax_exempt"], customer["payment_terms_days"]) == (True, None)
    supplier = await create(api, "/v1/suppliers", {"code": "S1", "name": "S1", "payment_terms_days": 45})
    assert supplier["payment_terms_days"] == 45
    for body, field in [
        ({"code": "A", "name": "A", "tax_exempt": 1}, "tax_exempt"),
        ({"code": "A", "name": "A", "payment_terms_days": -1}, "payment_terms_days"),
        ({"code": "A", "name": "A", "payment_terms_days": "30"}, "payment_terms_days"),
    ]:
        assert_problem(await api.post("/v1/customers", json=body), 422, field)


# -- accounts ----------------------------------------------------------------------------------


async def test_every_role_has_a_default_code_and_admin_maps_them(api: httpx.AsyncClient, make_key) -> None:  # type: ignore[no-untyped-def]
    chart = {a["role"]: a for a in (await api.get("/v1/accounts")).json()["items"]}
    assert chart["inventory"] == {"role": "inventory", "code": "1300", "name": "Inventory"}
    assert {"ar", "ap", "grni", "cogs", "revenue", "output_tax", "input_tax", "bank", "rounding"} <= chart.keys()
    body = {"revenue": "200", "expenses:freight": "425"}
    assert_problem(await api.put("/v1/accounts", json=body), 403)  # a write key is not enough
    admin = {"Authorization": f"Bearer {await make_key('admin')}"}
    answered = await api.put("/v1/accounts", json=body, headers=admin)
    assert answered.status_code == 200, answered.text
    chart = {a["role"]: a["code"] for a in answered.json()["items"]}
    assert (chart["revenue"], chart["expenses:freight"], chart["expenses"], chart["ar"]) == (
        "200",
        "425",
        "6000",
        "1100",
    )
    assert (await api.get("/v1/accounts")).json() == answered.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"sales": "200"}, "sales"), ({"expenses:": "1"}, "expenses:"), ({"revenue": ""}, "revenue"), ({}, None)],
)
async def test_unknown_roles_and_bad_codes_are_refused(
    api: httpx.AsyncClient, make_key, body: dict, field: str | None
) -> None:  # type: ignore[no-untyped-def]
    admin = {"Authorization": f"Bearer {await make_key('admin')}"}
    before = (await api.get("/v1/accounts")).json()
    response = await api.put("/v1/accounts", json=body, headers=admin)
    assert_problem(response, 422, *([field] if field else []))
    assert (await api.get("/v1/accounts")).json() == before


# -- the journal -------------------------------------------------------------------------------


async def test_stock_documents_post_balanced_entries_and_inventory_equals_stock_value(seed: httpx.AsyncClient) -> None:
    # seed: 20 TEA at 2.00 and 12.5 kg RICE at 3.00 received in one receipt.
    [receipt] = await _journal(seed, source_type="receipt")
    assert _lines(receipt) == [("inventory", "1300", "77.50", "0.00"), ("grni", "2150", "0.00", "77.50")]
    assert receipt["currency"] == "USD" and receipt["source"]["type"] == "receipt"
    order = await sell(seed, ("TEA", 5, "4.50"))
    assert await _journal(seed, source_type="shipment") == [], "a reservation is worth nothing to the books"
    shipment = await create(seed, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 5}]})
    [shipped] = await _journal(seed, source_type="shipment", source_id=shipment["shipments"][-1]["id"])
    assert _lines(shipped) == [("cogs", "5000", "10.00", "0.00"), ("inventory", "1300", "0.00", "10.00")]
    await create(seed, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": False}]})
    [scrapped] = await _journal(seed, source_type="return")
    assert _lines(scrapped) == [("inventory_loss", "5100", "2.00", "0.00"), ("cogs", "5000", "0.00", "2.00")]
    await create(seed, "/v1/stock-counts", {"warehouse": "SH", "lines": [{"sku": "RICE", "counted": 10}]})
    [counted] = await _journal(seed, source_type="stock_count")
    assert _lines(counted) == [("inventory_loss", "5100", "7.50", "0.00"), ("inventory", "1300", "0.00", "7.50")]
    transfer = await create(
        seed, "/v1/transfers", {"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "TEA", "qty": 3}]}
    )
    await create(seed, f"/v1/transfers/{transfer['id']}/receive", status=200)
    assert await _journal(seed, source_type="transfer") == [], "goods in transit are still ours"

    entries = await _journal(seed, limit=2)
    assert len(entries) == 4
    for entry in entries:
        debit = sum(Decimal(x["debit"]) for x in entry["lines"])
        assert debit == sum(Decimal(x["credit"]) for x in entry["lines"]) > 0
        assert (await seed.get(f"/v1/journal/{entry['id']}")).json() == entry
    value = Decimal(0)
    for sku in ("TEA", "RICE", "MUG"):
        value += Decimal((await seed.get(f"/v1/stock/{sku}")).json()["stock_value"])
    assert _balance(entries, "inventory") == value == Decimal("60.00")
    posted = [e for e in await events(seed) if e["type"] == "journal.posted"]
    assert [e["payload"]["entry_id"] for e in posted] == [e["id"] for e in entries]
    assert posted[0]["payload"]["lines"][0] == {
        "account": "1300",
        "role": "inventory",
        "debit": "77.50",
        "credit": "0.00",
        "tax_code": None,
        "party": None,
    }


async def test_entries_keep_the_code_they_were_posted_with(seed: httpx.AsyncClient, make_key) -> None:  # type: ignore[no-untyped-def]
    admin = {"Authorization": f"Bearer {await make_key('admin')}"}
    assert (await seed.put("/v1/accounts", json={"inventory": "140"}, headers=admin)).status_code == 200
    await purchase(seed, [("MUG", 2, "3.00")])
    first, second = await _journal(seed, source_type="receipt")
    assert first["lines"][0]["account"] == "1300" and second["lines"][0]["account"] == "140"


async def test_journal_lookups_refuse_what_cannot_exist(api: httpx.AsyncClient) -> None:
    assert_problem(await api.get("/v1/journal/99"), 404)
    assert_problem(await api.get("/v1/journal/0"), 422)
    assert_problem(await api.get("/v1/journal", params={"source_type": "Receipt!"}), 422, "source_type")
    assert_problem(await api.get("/v1/journal", params={"after": "x"}), 422, "after")
    assert (await api.get("/v1/journal", params={"after": ""})).json() == {"items": [], "next_cursor": None}
