"""Aging reports: every bucket recomputed from /v1/invoices, /v1/payments, /v1/credit-notes,
/v1/bills and /v1/supplier-payments, and each party's total checked against the journal."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.api.payables import bill_body
from tests.api.receivables import invoiced
from tests.api.support import assert_problem, create, purchase, walk, writes_nothing

D = Decimal
BUCKETS = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def bucket(due: str, at: date) -> str:
    late = (at - date.fromisoformat(due)).days
    return (
        "current"
        if late <= 0
        else "days_1_30"
        if late <= 30
        else "days_31_60"
        if late <= 60
        else ("days_61_90" if late <= 90 else "days_over_90")
    )


async def aging(api: httpx.AsyncClient, name: str, at: str) -> dict[str, Any]:
    response = await api.get(f"/v1/reports/{name}", params={"at": at})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["report"] == name and body["parameters"] == {"at": at}
    return body


def figures(body: dict[str, Any], party: str) -> dict[tuple[str, str], dict[str, Decimal]]:
    return {
        (row[party], row["currency"]): {k: D(v) for k, v in row.items() if k not in (party, "currency")}
        for row in body["rows"]
    }


@pytest.fixture
async def owed(seed: httpx.AsyncClient) -> httpx.AsyncClient:
    """Customers on 0, 30 (C1) and 60 days' terms, invoiced today in two currencies, part
    paid, one paid ahead (yesterday, unallocated), one over-credited, one voided; bills dated in the
    past, one on hold, one part paid with a prepayment left over."""
    api = seed
    await create(api, "/v1/customers", {"code": "NOW", "name": "Cash on delivery", "payment_terms_days": 0})
    await create(api, "/v1/customers", {"code": "LATER", "name": "Sixty days", "payment_terms_days": 60})
    await purchase(api, [("TEA", 40, "2.00"), ("MUG", 10, "1.00")])
    c1 = await invoiced(api, ("TEA", 4, "5"))  # 20.00 USD
    await invoiced(api, ("TEA", 2, "7"), currency="EUR")  # 14.00 EUR
    cod = await invoiced(api, ("TEA", 2, "5"), customer="NOW")  # 10.00
    await invoiced(api, ("MUG", 3, "4"), customer="LATER")  # 12.00
    void = await invoiced(api, ("TEA", 1, "5"), customer="C2")
    await create(api, f"/v1/invoices/{void['id']}/void", status=200)  # owed nothing from its void's day
    pay = {"currency": "USD", "method": "bank_transfer", "reference": "TT"}
    await create(
        api,
        "/v1/payments",
        pay
        | {
            "customer": "C1",
            "amount": "15.00",
            "date": day(0),
            "allocations": [{"invoice": c1["id"], "amount": "12.00"}],
        },
    )
    await create(api, "/v1/payments", pay | {"customer": "LATER", "amount": "4.00", "date": day(-1), "allocations": []})
    await create(
        api,
        "/v1/payments",
        pay
        | {
            "customer": "NOW",
            "amount": "6.00",
            "date": day(0),
            "allocations": [{"invoice": cod["id"], "amount": "6.00"}],
        },
    )
    await create(
        api, "/v1/credit-notes", {"invoice": cod["id"], "amount": "7.00", "reason": "broken"}
    )  # 3 applied, 4 credit

    [order] = [o for o in await walk(api, "/v1/purchase-orders", limit=500) if o["lines"][0]["sku"] == "TEA"][:1]
    old = await create(api, "/v1/bills", bill_body(order, ("TEA", 10, "2.00"), ref="OLD", date=day(-100)))
    await create(api, "/v1/bills", bill_body(order, ("TEA", 5, "2.50"), ref="HELD", date=day(-10)))  # off 25 %: held
    await create(
        api,
        "/v1/supplier-payments",
        pay
        | {
            "supplier": "ACME",
            "amount": "25.00",
            "date": day(-5),
            "allocations": [{"bill": old["id"], "amount": "15.00"}],
        },
    )
    return api


def expected_ar(invoices: list[Any], payments: list[Any], notes: list[Any], at: date) -> dict[Any, dict[str, Decimal]]:
    rows: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    settled: dict[int, Decimal] = defaultdict(Decimal)
    for p in payments:
        if date.fromisoformat(p["date"]) > at:
            continue
        rows[(p["customer"], p["currency"])]["credit"] -= D(p["amount"])
        for a in p["allocations"]:
            made = datetime.fromisoformat(a["created_at"]).date()
            if made != datetime.fromisoformat(p["created_at"]).date() and made > at:
                continue
            settled[a["invoice_id"]] += D(a["amount"])
            rows[(p["customer"], p["currency"])]["credit"] += D(a["amount"])
    for n in notes:
        if date.fromisoformat(n["issue_date"]) <= at:
            settled[n["invoice_id"]] += D(n["applied"])
            rows[(n["customer"], n["currency"])]["credit"] -= D(n["unapplied"])
    for i in invoices:
        due = D(i["total"]) - settled[i["id"]]
        if i["status"] != "void" and date.fromisoformat(i["issue_date"]) <= at and due:
            rows[(i["customer"], i["currency"])][bucket(i["due_date"], at)] += due
    for row in rows.values():
        row["total"] = sum(row.values(), D(0))
    return {k: dict(v) for k, v in rows.items() if any(v.values())}


def expected_ap(bills: list[Any], payments: list[Any], at: date) -> dict[Any, dict[str, Decimal]]:
    rows: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for p in payments:
        if date.fromisoformat(p["date"]) <= at:
            rows[(p["supplier"], p["currency"])]["prepaid"] -= D(p["amount"])
            for a in p["allocations"]:
                # Made with the payment, or later (dated the day it was made).
                if date.fromisoformat(a["date"]) <= at:
                    paid[a["bill_id"]] += D(a["amount"])
                    rows[(p["supplier"], p["currency"])]["prepaid"] += D(a["amount"])
    for b in bills:
        due = D(b["total"]) - paid[b["id"]]
        if date.fromisoformat(b["date"]) <= at and due:
            row = rows[(b["supplier"], b["currency"])]
            row[bucket(b["due_date"], at)] += due
            if b["status"] == "on_hold":
                row["on_hold"] += due
    for row in rows.values():
        row["total"] = sum((v for k, v in row.items() if k != "on_hold"), D(0))
    return {k: dict(v) for k, v in rows.items() if any(v.values())}


def nonzero(got: dict[Any, dict[str, Decimal]]) -> dict[Any, dict[str, Decimal]]:
    return {k: {name: v for name, v in row.items() if v} for k, row in got.items()}


@pytest.mark.parametrize("offset", [-1, 0, 31, 65, 95])
async def test_ar_aging_is_the_documents_recomputed(owed: httpx.AsyncClient, offset: int) -> None:
    invoices = await walk(owed, "/v1/invoices", limit=500)
    payments = await walk(owed, "/v1/payments", limit=500)
    notes = await walk(owed, "/v1/credit-notes", limit=500)
    at = TODAY + timedelta(days=offset)
    body = await aging(owed, "ar-aging", at.isoformat())
    got = figures(body, "customer")
    assert nonzero(got) == nonzero(expected_ar(invoices, payments, notes, at))
    totals = {t["currency"]: {k: D(t[k]) for k in (*BUCKETS, "credit", "total")} for t in body["totals"]}
    for currency, total in totals.items():
        for name, value in total.items():
            assert value == sum((row[name] for (_, c), row in got.items() if c == currency), D(0))


async def test_ar_aging_buckets_by_terms(owed: httpx.AsyncClient) -> None:
    got = figures(await aging(owed, "ar-aging", day(95)), "customer")
    # NOW: 10 − 6 paid leaves 4, which the note of 7 settles; its other 3 are credit.
    assert (got[("NOW", "USD")]["days_over_90"], got[("NOW", "USD")]["credit"]) == (D(0), D(-3))
    assert got[("C1", "USD")]["days_61_90"] == D(8) and got[("C1", "USD")]["total"] == D(5)
    assert got[("LATER", "USD")]["days_31_60"] == D(12) and got[("LATER", "USD")]["total"] == D(8)
    assert got[("C1", "EUR")]["days_61_90"] == D(14)
    assert ("C2", "USD") not in got
    # Yesterday: no invoice yet, only the payment made ahead.
    assert figures(await aging(owed, "ar-aging", day(-1)), "customer") == {
        ("LATER", "USD"): dict.fromkeys(BUCKETS, D(0)) | {"credit": D(-4), "total": D(-4)}
    }


async def test_ar_aging_total_is_the_ar_balance_less_customer_credit(owed: httpx.AsyncClient) -> None:
    """The issue's invariant: AR balance = Σ open amounts due − customer credit, per party."""
    entries = await walk(owed, "/v1/journal", cursor_param="after", limit=500)
    books: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        for line in entry["lines"]:
            if line["role"] in ("ar", "customer_credit"):
                books[(line["party"], entry["currency"])] += D(line["debit"]) - D(line["credit"])
    got = figures(await aging(owed, "ar-aging", day(0)), "customer")
    assert {k: row["total"] for k, row in got.items()} == {k: v for k, v in books.items() if v}


async def test_ap_aging_is_the_documents_recomputed_and_the_ap_balance(owed: httpx.AsyncClient) -> None:
    bills = await walk(owed, "/v1/bills", limit=500)
    payments = await walk(owed, "/v1/supplier-payments", limit=500)
    for offset in (-200, -100, -6, -5, 0, 30):
        at = TODAY + timedelta(days=offset)
        got = figures(await aging(owed, "ap-aging", at.isoformat()), "supplier")
        assert nonzero(got) == nonzero(expected_ap(bills, payments, at)), offset
    [row] = figures(await aging(owed, "ap-aging", day(0)), "supplier").values()
    assert [a["date"] for p in payments for a in p["allocations"]] == [day(-5)], "dated as the payment"
    # OLD: 20 − 15 = 5, due 70 days ago; HELD 12.50, due in 20 days; 10 prepaid.
    assert (row["days_61_90"], row["current"], row["on_hold"], row["prepaid"], row["total"]) == (
        D(5),
        D("12.50"),
        D("12.50"),
        D(-10),
        D("7.50"),
    )
    entries = await walk(owed, "/v1/journal", cursor_param="after", limit=500)
    ap = sum(
        (
            D(x["credit"]) - D(x["debit"])
            for e in entries
            for x in e["lines"]
            if x["role"] == "ap" and x["party"] == "ACME"
        ),
        D(0),
    )
    assert ap == row["total"] - row["on_hold"]  # a bill on hold posts nothing yet


async def test_aging_comes_as_csv_with_a_totals_row_per_currency(owed: httpx.AsyncClient) -> None:
    body = await aging(owed, "ar-aging", day(0))
    assert [t["currency"] for t in body["totals"]] == ["EUR", "USD"]
    response = await owed.get("/v1/reports/ar-aging", params={"at": day(0), "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["customer", "currency", *BUCKETS, "credit", "total"]
    assert [r[:2] for r in rows[-2:]] == [["total", "EUR"], ["total", "USD"]]
    assert len(rows) == 1 + len(body["rows"]) + 2


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("ar-aging", {"at": "2026-02-30"}, "at"),
        ("ar-aging", {"at": "1700000000"}, "at"),
        ("ap-aging", {"at": "tomorrow"}, "at"),
        ("ap-aging", {"format": "pdf"}, "format"),
    ],
)
async def test_bad_aging_parameters_are_refused(
    seed: httpx.AsyncClient, name: str, params: dict[str, Any], field: str
) -> None:
    async with writes_nothing(seed):
        assert_problem(await seed.get(f"/v1/reports/{name}", params=params), 422, field)


async def test_ap_aging_at_a_past_day_leaves_out_later_allocations(owed: httpx.AsyncClient) -> None:
    """A prepayment set against a bill today still stood as a prepayment, and the bill as owed, before."""
    [order] = [o for o in await walk(owed, "/v1/purchase-orders", limit=500) if o["lines"][0]["sku"] == "TEA"][:1]
    late = await create(owed, "/v1/bills", bill_body(order, ("TEA", 5, "2.00"), ref="LATE", date=day(-20)))
    [payment] = await walk(owed, "/v1/supplier-payments", limit=500)
    later = {"allocations": [{"bill": late["id"], "amount": "4.00"}]}
    await create(owed, f"/v1/supplier-payments/{payment['id']}/allocations", later, status=200)
    bills = await walk(owed, "/v1/bills", limit=500)
    payments = await walk(owed, "/v1/supplier-payments", limit=500)
    assert [a["date"] for a in payments[0]["allocations"]] == [day(-5), day(0)]
    for offset in (-20, -5, -1, 0, 30):
        at = TODAY + timedelta(days=offset)
        got = figures(await aging(owed, "ap-aging", at.isoformat()), "supplier")
        assert nonzero(got) == nonzero(expected_ap(bills, payments, at)), offset
    # Yesterday: LATE wholly owed (10.00, due in 10 days' time then) and the 10.00 still prepaid.
    [yesterday] = figures(await aging(owed, "ap-aging", day(-1)), "supplier").values()
    assert (yesterday["current"], yesterday["prepaid"]) == (D("22.50"), D(-10))
    [now] = figures(await aging(owed, "ap-aging", day(0)), "supplier").values()
    assert (now["current"], now["prepaid"]) == (D("18.50"), D(-6))
