"""/v1/bills: supplier bills 3-way matched to the purchase order and what was received."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from hub.bootstrap import Hub
from tests.api.payables import BILLS, PO, bill_body, journal_of, received, tax_rate
from tests.api.support import assert_problem, create, events, no_new_events, walk, writes_nothing


async def seed_order(api: httpx.AsyncClient) -> dict[str, Any]:
    """The seed's received purchase order: 20 TEA at 2.00, 12.5 kg RICE at 3.00."""
    [order] = (await api.get(PO, params={"status": "received"})).json()["items"]
    return dict(order)


async def test_a_matching_bill_opens_and_posts(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/suppliers", {"code": "NET15", "name": "Terms", "payment_terms_days": 15})
    await tax_rate(seed, "VAT13", "0.13")
    po = await received(
        seed,
        ("TEA", 10, "2.00"),
        ("RICE", 4, "3.00"),
        supplier="NET15",
        lines=[
            {"sku": "TEA", "qty": 10, "unit_cost": "2.00", "tax_code": "VAT13"},
            {"sku": "RICE", "qty": 4, "unit_cost": "3.00"},
        ],
    )
    bill = await create(seed, BILLS, bill_body(po, ("TEA", 10, "2.02"), ("RICE", 4, "3.00"), ref="NET-1"))
    assert (bill["number"], bill["status"], bill["hold_reason"]) == ("BILL-000001", "open", None)
    assert (bill["supplier"], bill["purchase_order_id"], bill["supplier_reference"]) == ("NET15", po["id"], "NET-1")
    assert (bill["date"], bill["due_date"], bill["currency"]) == ("2026-12-01", "2026-12-16", "USD")
    assert [(line["sku"], line["net"], line["tax"], line["gross"], line["tax_code"]) for line in bill["lines"]] == [
        ("TEA", "20.20", "2.63", "22.83", "VAT13"),
        ("RICE", "12.00", "0.00", "12.00", None),
    ]
    totals = ("net_total", "tax_total", "total", "amount_paid", "amount_due")
    assert [bill[k] for k in totals] == ["32.20", "2.63", "34.83", "0.00", "34.83"]
    assert (await seed.get(f"{BILLS}/{bill['id']}")).json() == bill
    assert [line["billed"] for line in (await seed.get(f"{PO}/{po['id']}")).json()["lines"]] == [10, 4]
    assert await journal_of(seed, "bill", bill["id"]) == [
        ("grni", Decimal(32), None),
        ("price_variance", Decimal("0.2"), None),
        ("input_tax", Decimal("2.63"), None),
        ("ap", Decimal("-34.83"), "NET15"),
    ]
    posted = [e for e in await events(seed) if e["type"] == "bill.posted"][-1]
    assert (posted["aggregate_id"], posted["payload"]["status"], posted["payload"]["total"]) == (
        str(bill["id"]),
        "open",
        "34.83",
    )


async def test_a_price_off_by_more_than_the_tolerance_holds_until_approved(seed: httpx.AsyncClient) -> None:
    po = await seed_order(seed)
    at_limit = await create(seed, BILLS, bill_body(po, ("TEA", 5, "2.04"), ref="A"))
    assert at_limit["status"] == "open"  # exactly 2 % still matches
    held = await create(seed, BILLS, bill_body(po, ("TEA", 5, "2.0401"), ref="B"))
    assert held["status"] == "on_hold" and "TEA" in held["hold_reason"]
    assert await journal_of(seed, "bill", held["id"]) == []
    assert [b["id"] for b in await walk(seed, BILLS, status="on_hold")] == [held["id"]]
    approved = await create(seed, f"{BILLS}/{held['id']}/approve", status=200)
    assert (approved["status"], approved["hold_reason"]) == ("open", None)
    assert [e["type"] for e in await events(seed)][-2:] == ["journal.posted", "bill.approved"]
    assert [role for role, *_ in await journal_of(seed, "bill", held["id"])] == ["grni", "price_variance", "ap"]
    async with writes_nothing(seed):
        assert_problem(await seed.post(f"{BILLS}/{held['id']}/approve"), 409)
        assert_problem(await seed.post(f"{BILLS}/999999/approve"), 404)


async def test_the_tolerance_is_a_setting(seed: httpx.AsyncClient, hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub.settings, "price_tolerance", 0)
    po = await seed_order(seed)
    assert (await create(seed, BILLS, bill_body(po, ("TEA", 1, "2.01"))))["status"] == "on_hold"


async def test_list_filters(seed: httpx.AsyncClient) -> None:
    po = await seed_order(seed)
    first = await create(seed, BILLS, bill_body(po, ("TEA", 1, "2"), ref="1"))
    second = await create(seed, BILLS, bill_body(po, ("RICE", 1, "3"), ref="2"))
    assert [b["id"] for b in await walk(seed, BILLS, limit=1)] == [second["id"], first["id"]]
    assert len(await walk(seed, BILLS, supplier="ACME", status="open", purchase_order=po["id"])) == 2
    assert await walk(seed, BILLS, purchase_order=po["id"] + 1000) == []
    assert await walk(seed, BILLS, supplier="NOPE") == []


async def test_bad_bills_are_refused_naming_the_field(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    po = await seed_order(seed)
    draft = await create(
        seed, PO, {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "unit_cost": "1"}]}
    )
    await create(seed, BILLS, bill_body(po, ("TEA", 15, "2"), ref="TAKEN"))
    good = bill_body(po, ("TEA", 1, "2"), ref="NEW")
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"purchase_order": 999999}, 422, "purchase_order"),
        ({"purchase_order": draft["id"]}, 422, "purchase_order"),
        ({"purchase_order": "1"}, 422, "purchase_order"),
        ({"lines": [{"sku": "TEA", "qty": 6, "unit_cost": "2"}]}, 422, "lines[0].qty"),  # 20 − 15 billed
        (
            {"lines": [{"sku": "RICE", "qty": 1, "unit_cost": "3"}, {"sku": "RICE", "qty": 12, "unit_cost": "3"}]},
            422,
            "lines[1].sku",
        ),
        ({"lines": [{"sku": "MUG", "qty": 1, "unit_cost": "2"}]}, 422, "lines[0].sku"),  # not on the order
        ({"lines": [{"sku": "NOPE", "qty": 1, "unit_cost": "2"}]}, 422, "lines[0].sku"),
        ({"lines": [{"sku": "TEA", "qty": 0, "unit_cost": "2"}]}, 422, "lines[0].qty"),
        ({"lines": [{"sku": "TEA", "qty": 1, "unit_cost": "-2"}]}, 422, "lines[0].unit_cost"),
        ({"lines": []}, 422, "lines"),
        ({"date": "2026-13-01"}, 422, "date"),
        ({"date": None}, 422, "date"),
        ({"supplier_reference": ""}, 422, "supplier_reference"),
        ({"supplier_reference": "TAKEN"}, 409, None),
    ]
    async with writes_nothing(seed):
        for change, status, field in cases:
            with subtests.test(change=change):
                async with no_new_events(seed):
                    response = await seed.post(BILLS, json=good | change)
                    assert_problem(response, status, *([field] if field else []))
        # A cancelled order takes no bill either.
    cancelled = await create(seed, f"{PO}/{draft['id']}/cancel", status=200)
    async with writes_nothing(seed):
        assert_problem(await seed.post(BILLS, json=good | {"purchase_order": cancelled["id"]}), 422, "purchase_order")
        assert_problem(await seed.get(f"{BILLS}/999999"), 404)
        assert_problem(await seed.get(BILLS, params={"status": "lost"}), 422, "status")


async def test_a_bill_replays_with_its_idempotency_key(seed: httpx.AsyncClient) -> None:
    po = await seed_order(seed)
    body = bill_body(po, ("TEA", 2, "2"))
    first = await seed.post(BILLS, json=body, headers={"Idempotency-Key": "bill-1"})
    assert first.status_code == 201
    async with writes_nothing(seed):
        again = await seed.post(BILLS, json=body, headers={"Idempotency-Key": "bill-1"})
        assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (201, first.content, "true")
        other = await seed.post(BILLS, json=body | {"supplier_reference": "X"}, headers={"Idempotency-Key": "bill-1"})
        assert_problem(other, 422, "Idempotency-Key")
    held = await create(seed, BILLS, bill_body(po, ("TEA", 1, "9"), ref="HELD"))
    approve = f"{BILLS}/{held['id']}/approve"
    done = await seed.post(approve, headers={"Idempotency-Key": "approve-1"})
    again = await seed.post(approve, headers={"Idempotency-Key": "approve-1"})
    assert (again.status_code, again.content) == (done.status_code, done.content) == (200, done.content)
