"""Reports: every figure recomputed here from the raw ledger (/v1/moves), the journal
(/v1/journal) and the documents, and compared."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from tests.api.support import assert_problem, create, purchase, sell, walk

SO = "/v1/sales-orders"
D = Decimal
OUTSIDE = {"supplier", "customer", "inventory-loss", "production"}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def business(api: httpx.AsyncClient) -> None:
    """On top of ``seed``: sales to two customers over two channels, a return of each kind,
    a production run, a transfer, a count, and a purchase with rejects."""
    first = await sell(api, ("TEA", 5, "5.00"), ("RICE", 2.5, "4.10"), channel="web", external_id="w-1")
    await create(
        api, f"{SO}/{first['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 5}, {"sku": "RICE", "qty": 2.5}]}
    )
    await create(api, f"{SO}/{first['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
    second = await sell(api, ("TEA", 3, "6.333"), customer="C2")
    await create(api, f"{SO}/{second['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 3}]})
    await create(api, f"{SO}/{second['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": False}]})
    issue = await create(api, "/v1/production/issues", {"warehouse": "SH", "lines": [{"sku": "RICE", "qty": 3}]})
    await create(
        api,
        "/v1/production/receipts",
        {"warehouse": "SH", "lines": [{"sku": "MUG", "qty": 2}], "from_issues": [issue["id"]]},
    )
    await create(
        api, "/v1/transfers", {"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "TEA", "qty": 2}]}
    )
    await create(api, "/v1/stock-counts", {"warehouse": "SH", "lines": [{"sku": "RICE", "counted": 6}]})
    order = await create(
        api,
        "/v1/purchase-orders",
        {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "MUG", "qty": 10, "unit_cost": "1.25"}]},
    )
    await create(api, f"/v1/purchase-orders/{order['id']}/approve", status=200)
    await create(
        api, f"/v1/purchase-orders/{order['id']}/receipts", {"lines": [{"sku": "MUG", "accepted": 7, "rejected": 1}]}
    )
    await purchase(api, [("RICE", 4, "2.50")], warehouse="BJ")


async def report(api: httpx.AsyncClient, name: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"/v1/reports/{name}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["report"] == name
    assert all(set(row) == {c["name"] for c in body["columns"]} for row in body["rows"])
    return body


async def journal(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every journal line with its entry's date and currency, from /v1/journal."""
    entries = await walk(api, "/v1/journal", cursor_param="after", limit=500)
    return [
        line | {"date": entry["date"], "currency": entry["currency"]} for entry in entries for line in entry["lines"]
    ]


def money(value: Any) -> Decimal:
    return D(value) if value is not None else D(0)


@pytest.fixture
async def books(seed: httpx.AsyncClient) -> httpx.AsyncClient:
    await business(seed)
    return seed


async def test_sales_are_shipments_at_the_order_price_less_returns(books: httpx.AsyncClient) -> None:
    moves = await walk(books, "/v1/moves", cursor_param="after", limit=500)
    orders = {o["id"]: o for o in await walk(books, SO, limit=500)}
    documents = {("shipment", s["id"]): o for o in orders.values() for s in o["shipments"]}
    documents |= {("return", r["id"]): o for o in orders.values() for r in o["returns"]}
    expected: dict[str, list[Decimal]] = defaultdict(lambda: [D(0), D(0), D(0)])
    for move in moves:
        ref = (move["reference"]["type"], move["reference"]["id"])
        if ref not in documents:
            continue
        order = documents[ref]
        sign = 1 if ref[0] == "shipment" else -1
        [price] = [D(line["unit_price"]) for line in order["lines"] if line["sku"] == move["sku"]]
        qty = D(str(move["qty"]))
        sums = expected[order["customer"]]
        sums[0] += sign * qty
        sums[1] += sign * (qty * price).quantize(D("0.01"), ROUND_HALF_UP)
        sums[2] += sign * D(move["value"])
    body = await report(books, "sales", group_by="customer", **{"from": today(), "to": today()})
    got = {row["customer"]: [D(str(row["qty"])), D(row["net_revenue"]), D(row["cogs"])] for row in body["rows"]}
    assert got == expected
    for row in body["rows"]:
        margin = D(row["net_revenue"]) - D(row["cogs"])
        assert D(row["gross_margin"]) == margin
        assert D(row["margin_pct"]) == (margin * 100 / D(row["net_revenue"])).quantize(D("0.01"))
    # Σ COGS of the sales report is the cogs role's movement in the journal.
    lines = await journal(books)
    cogs = sum((D(line["debit"]) - D(line["credit"]) for line in lines if line["role"] == "cogs"), D(0))
    # (a scrapped return credits cogs too: its cost moves on to inventory_loss)
    assert sum((v[2] for v in expected.values()), D(0)) == cogs
    by_channel = await report(books, "sales", group_by="channel")
    assert {row["channel"] for row in by_channel["rows"]} == {"web", ""}
    by_month = await report(books, "sales", group_by="month")
    assert [row["month"] for row in by_month["rows"]] == [today()[:7]]


async def test_inventory_is_the_ledger_summed(books: httpx.AsyncClient) -> None:
    moves = await walk(books, "/v1/moves", cursor_param="after", limit=500)
    body = await report(books, "inventory", **{"from": today(), "to": today()})
    rows = {row["sku"]: row for row in body["rows"]}
    for sku in ("TEA", "RICE", "MUG"):
        value = qty = cogs = D(0)
        for m in moves:
            if m["sku"] != sku:
                continue
            into, out = m["to_location"] not in OUTSIDE, m["from_location"] not in OUTSIDE
            if into != out:
                sign = 1 if into else -1
                value += sign * D(m["value"])
                qty += sign * D(str(m["qty"]))
                if "customer" in (m["from_location"], m["to_location"]):
                    cogs -= sign * D(m["value"])
        stock = (await books.get(f"/v1/stock/{sku}")).json()
        assert D(rows[sku]["value"]) == value == D(stock["stock_value"])
        assert D(str(rows[sku]["on_hand"])) == qty == D(str(stock["on_hand"])) + D(str(stock["in_transit"]))
        assert D(rows[sku]["cogs"]) == cogs
        # One day long: the average is the closing value.
        assert D(rows[sku]["average_value"]) == value
        assert rows[sku]["turnover"] == (None if value == 0 else f"{(cogs / value).quantize(D('0.01'))}")
    assert rows["TEA"]["last_sale"] == today() and rows["TEA"]["slow_mover"] is False
    assert rows["MUG"]["last_sale"] is None and rows["MUG"]["slow_mover"] is True
    # TEA: 8 shipped today; on hand ÷ 8 a day.
    assert D(rows["TEA"]["days_of_cover"]) == (D(str(rows["TEA"]["on_hand"])) / 8).quantize(D("0.01"))

    bj = {row["sku"]: row for row in (await report(books, "inventory", warehouse="BJ"))["rows"]}
    assert D(str(bj["RICE"]["on_hand"])) == 4 and D(bj["RICE"]["value"]) == D("10.00")
    assert "TEA" not in bj  # still in transit: nothing has reached BJ


async def test_purchases_compare_received_with_ordered(books: httpx.AsyncClient) -> None:
    orders = await walk(books, "/v1/purchase-orders", limit=500)
    body = await report(books, "purchases", group_by="sku")
    rows = {row["sku"]: row for row in body["rows"]}
    for sku in ("TEA", "RICE", "MUG"):
        lines = [line for order in orders for line in order["lines"] if line["sku"] == sku]
        ordered = sum((D(str(line["qty"])) for line in lines), D(0))
        accepted = sum((D(str(line["accepted"])) for line in lines), D(0))
        rejected = sum((D(str(line["rejected"])) for line in lines), D(0))
        spend = sum((D(str(line["accepted"])) * D(line["unit_cost"]) for line in lines), D(0))
        row = rows[sku]
        assert (D(str(row["ordered"])), D(str(row["received"])), D(str(row["rejected"]))) == (
            ordered,
            accepted,
            rejected,
        )
        assert D(row["spend"]) == spend
        assert row["measured"] == 0 and row["on_time_rate"] is None  # no expected_date: not measured
    assert (rows["MUG"]["received_pct"], rows["MUG"]["reject_rate"]) == ("70.00", "12.50")
    by_supplier = await report(books, "purchases")
    assert [row["supplier"] for row in by_supplier["rows"]] == ["ACME"]


async def test_the_books_reports_sum_the_journal(books: httpx.AsyncClient) -> None:
    lines = await journal(books)
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for line in lines:
        sums[(line["currency"], line["account"], line["role"])][0] += D(line["debit"])
        sums[(line["currency"], line["account"], line["role"])][1] += D(line["credit"])
    tb = await report(books, "trial-balance", at=today())
    assert {(r["currency"], r["account"], r["role"]): [D(r["debit"]), D(r["credit"])] for r in tb["rows"]} == sums
    [totals] = tb["totals"]  # one currency: the hub's
    assert totals["debit"] == totals["credit"] and totals["balance_debit"] == totals["balance_credit"]
    currency = totals["currency"]

    kinds = {r["role"]: r["kind"] for r in tb["rows"]}
    pnl = await report(books, "profit-and-loss")
    profit = D(0)
    for (_, _, role), (debit, credit) in sums.items():
        if kinds[role] == "revenue":
            profit += credit - debit
        elif kinds[role] == "expense":
            profit -= debit - credit
    assert {r["role"] for r in pnl["rows"]} == {role for role, kind in kinds.items() if kind in ("revenue", "expense")}
    assert [(t["currency"], D(t["amount"])) for t in pnl["totals"]] == [(currency, profit)]

    sheet = await report(books, "balance-sheet")
    amounts = {r["role"]: D(r["amount"]) for r in sheet["rows"]}
    assert amounts["retained_profit"] == profit
    stock_value = D(0)
    for sku in ("TEA", "RICE", "MUG"):
        stock_value += D((await books.get(f"/v1/stock/{sku}")).json()["stock_value"])
    assert amounts["inventory"] == stock_value  # the inventory account is the ledger's value
    assets = sum((a for r, a in amounts.items() if kinds.get(r) == "asset"), D(0))
    liabilities = sum((a for r, a in amounts.items() if kinds.get(r) == "liability"), D(0))
    assert assets == liabilities + profit == D(sheet["assets"][currency])
    # Before anything was posted: nothing.
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    assert (await report(books, "trial-balance", at=yesterday))["rows"] == []


async def test_each_currency_balances_on_its_own(books: httpx.AsyncClient) -> None:
    """Invoices and payments post in the document's currency, stock in the hub's: the books
    keep them apart, and each currency's debits equal its credits."""
    order = await sell(books, ("TEA", 2, "7.00"), currency="EUR")
    await create(books, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}]})
    invoice = await create(books, "/v1/invoices", {"sales_order": order["id"]})
    payment = {"customer": "C1", "amount": "10.00", "currency": "EUR", "method": "bank_transfer"}
    await create(books, "/v1/payments", payment | {"allocations": [{"invoice": invoice["id"], "amount": "9.00"}]})
    lines = await journal(books)
    by_currency: dict[str, list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for line in lines:
        by_currency[line["currency"]][0] += D(line["debit"])
        by_currency[line["currency"]][1] += D(line["credit"])
    assert len(by_currency) == 2 and "EUR" in by_currency
    tb = await report(books, "trial-balance")
    totals = {t["currency"]: (D(t["debit"]), D(t["credit"])) for t in tb["totals"]}
    assert totals == {c: (dr, cr) for c, (dr, cr) in by_currency.items()}
    assert all(dr == cr for dr, cr in totals.values())
    eur = {r["role"]: (D(r["debit"]), D(r["credit"])) for r in tb["rows"] if r["currency"] == "EUR"}
    assert eur["revenue"] == (D(0), D("14.00")) and eur["ar"] == (D("14.00"), D("9.00"))
    assert "inventory" not in eur  # the goods' cost stays in the hub's currency
    sheet = await report(books, "balance-sheet")
    for currency in by_currency:
        assert D(sheet["assets"][currency]) == D(sheet["liabilities"][currency]) + D(sheet["equity"][currency])
    pnl = await report(books, "profit-and-loss")
    assert D(pnl["revenue"]["EUR"]) == D("14.00") and "EUR" in {t["currency"] for t in pnl["totals"]}


async def test_demand_lists_daily_history_without_a_forecast_on_one_day(books: httpx.AsyncClient) -> None:
    body = await report(books, "demand", sku="TEA")
    assert body["rows"] == [{"date": today(), "qty": 8, "kind": "history"}]
    assert (body["history_days"], body["forecast_30_days"], body["alpha"]) == (1, None, "0.3")
    assert (await report(books, "demand", sku="MUG"))["rows"] == []


async def test_every_report_comes_as_csv_with_a_header_row(books: httpx.AsyncClient) -> None:
    for name, params in [
        ("sales", {}),
        ("inventory", {}),
        ("purchases", {}),
        ("trial-balance", {}),
        ("profit-and-loss", {}),
        ("balance-sheet", {}),
        ("ar-aging", {}),
        ("ap-aging", {}),
        ("demand", {"sku": "TEA"}),
    ]:
        as_json = await report(books, name, **params)
        response = await books.get(f"/v1/reports/{name}", params=params | {"format": "csv"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert f'filename="{name}.csv"' in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == [c["name"] for c in as_json["columns"]]
        assert len(rows) == 1 + len(as_json["rows"]) + len(as_json["totals"] or [])


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("sales", {"group_by": "colour"}, "group_by"),
        ("sales", {"from": "2026-02-30"}, "from"),
        ("sales", {"to": "0"}, "to"),
        ("profit-and-loss", {"from": "20260301"}, "from"),
        ("balance-sheet", {"at": "1700000000"}, "at"),
        ("sales", {"from": "2026-03-02", "to": "2026-03-01"}, "from"),
        ("sales", {"format": "xml"}, "format"),
        ("inventory", {"warehouse": "NOPE"}, "warehouse"),
        ("inventory", {"slow_days": 0}, "slow_days"),
        ("purchases", {"group_by": "customer"}, "group_by"),
        ("trial-balance", {"at": "yesterday"}, "at"),
        ("ar-aging", {"at": "2026-13-01"}, "at"),
        ("ap-aging", {"at": "0"}, "at"),
        ("demand", {}, "sku"),
        ("demand", {"sku": "NOPE"}, "sku"),
        ("demand", {"sku": "TEA", "days": 0}, "days"),
    ],
)
async def test_bad_report_parameters_are_refused(
    seed: httpx.AsyncClient, name: str, params: dict[str, Any], field: str
) -> None:
    assert_problem(await seed.get(f"/v1/reports/{name}", params=params), 422, field)
