"""Report arithmetic on hand-made facts: days, averages, smoothing, and the books."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hub.core import handlers
from hub.core.commands import NewProduct, NewShipment, ShipLine
from hub.core.journal import DEFAULT_CHART, KINDS
from hub.core.reports import (
    Credit,
    MoveFact,
    OpenItem,
    PostedLine,
    aging_report,
    allocation_days,
    balance_sheet,
    inventory_report,
    profit_and_loss,
    trial_balance,
)
from hub.core.reports.demand import daily_history, demand_report, forecast_demand, smoothed_level
from tests.fakes import FakeStore
from tests.unit.support import D, buy, sell

DAY = date(2026, 3, 1)
LAMP = NewProduct(sku="LAMP", name="Lamp", reorder_point=D(10), reorder_max=D(50))


def test_every_role_has_a_kind() -> None:
    assert KINDS.keys() == DEFAULT_CHART.keys()
    assert set(KINDS.values()) <= {"asset", "liability", "equity", "revenue", "expense"}


def test_average_value_is_the_mean_of_each_days_closing_value() -> None:
    moves = [
        MoveFact(DAY - timedelta(1), "A", D(10), "supplier", "W", D(100)),  # before the period: opening 100
        MoveFact(DAY + timedelta(2), "A", D(10), "supplier", "W", D(100)),  # day 3 of 4: 200 for two days
        MoveFact(DAY + timedelta(3), "A", D(5), "W", "customer", D(50)),  # day 4: 150 at its end
        MoveFact(DAY + timedelta(9), "A", D(5), "W", "customer", D(50)),  # after the period: ignored
    ]
    [row] = inventory_report(moves, warehouse=None, start=DAY, end=DAY + timedelta(3), slow_days=2).rows
    assert row["average_value"] == (100 + 100 + 200 + 150) / D(4)
    assert (row["on_hand"], row["value"], row["cogs"]) == (15, 150, 50)
    assert row["turnover"] == (D(50) / D("137.5")).quantize(D("0.01"))
    assert row["days_of_cover"] == D(15) / (D(5) / 4)  # 5 shipped over 4 days
    assert (row["last_sale"], row["slow_mover"]) == (DAY + timedelta(3), False)
    [late] = inventory_report(moves, warehouse=None, start=DAY, end=DAY + timedelta(6), slow_days=2).rows
    assert late["slow_mover"] is True


def test_a_transfer_moves_value_between_warehouses_not_out_of_the_books() -> None:
    moves = [
        MoveFact(DAY, "A", D(10), "supplier", "W1", D(100)),
        MoveFact(DAY, "A", D(4), "W1", "transit", D(40)),
        MoveFact(DAY, "A", D(4), "transit", "W2", D(40)),
    ]
    [everywhere] = inventory_report(moves, warehouse=None, start=DAY, end=DAY, slow_days=90).rows
    assert (everywhere["on_hand"], everywhere["value"]) == (10, 100)
    [w2] = inventory_report(moves, warehouse="W2", start=DAY, end=DAY, slow_days=90).rows
    assert (w2["on_hand"], w2["value"], w2["cogs"]) == (4, 40, 0)


def test_history_starts_at_the_first_sale_and_fills_quiet_days() -> None:
    shipped = {DAY + timedelta(2): D(3), DAY + timedelta(4): D(1)}
    assert daily_history(shipped, DAY, DAY + timedelta(5)) == [
        (DAY + timedelta(2), D(3)),
        (DAY + timedelta(3), D(0)),
        (DAY + timedelta(4), D(1)),
        (DAY + timedelta(5), D(0)),
    ]
    assert daily_history({}, DAY, DAY) == []


def test_simple_exponential_smoothing_with_alpha_three_tenths() -> None:
    # level: 10 → 0.3·20 + 0.7·10 = 13 → 0.3·0 + 0.7·13 = 9.1
    assert smoothed_level([D(10), D(20), D(0)]) == D("9.1")
    thirteen = [(DAY + timedelta(n), D(2)) for n in range(13)]
    assert forecast_demand(thirteen) is None  # under 14 days: no forecast
    assert forecast_demand([*thirteen, (DAY + timedelta(13), D(2))]) == D(60)
    report = demand_report("A", dict([*thirteen, (DAY + timedelta(13), D(2))]), DAY, DAY + timedelta(13))
    forecast = [row for row in report.rows if row["kind"] == "forecast"]
    assert len(forecast) == 30 and {row["qty"] for row in forecast} == {D(2)}
    assert forecast[0]["date"] == DAY + timedelta(14)


def lines(*entries: tuple[str, str, str], currency: str = "CNY") -> list[PostedLine]:
    """(role, debit, credit) lines, each with its default account, all on DAY."""
    return [PostedLine(DAY, DEFAULT_CHART[role][0], role, D(dr), D(cr), currency) for role, dr, cr in entries]


def test_the_books_balance_with_profit_as_equity() -> None:
    posted = lines(
        ("inventory", "100", "0"),
        ("grni", "0", "100"),
        ("cogs", "30", "0"),
        ("inventory", "0", "30"),
        ("ar", "50", "0"),
        ("revenue", "0", "50"),
    )
    tb = trial_balance(posted, DAY)
    assert tb.totals is not None and [(t["debit"], t["credit"]) for t in tb.totals] == [(D(180), D(180))]
    pnl = profit_and_loss(posted, DAY, DAY)
    assert pnl.totals == [{"currency": "CNY", "account": "net profit", "amount": D(20)}]
    assert [row["role"] for row in pnl.rows] == ["revenue", "cogs"]
    sheet = balance_sheet(posted, DAY)
    assert {row["role"]: row["amount"] for row in sheet.rows} == {
        "ar": 50,
        "inventory": 70,
        "grni": 100,
        "retained_profit": 20,
    }
    assert sheet.extra == {"assets": {"CNY": "120.00"}, "liabilities": {"CNY": "100.00"}, "equity": {"CNY": "20.00"}}
    assert trial_balance(posted, DAY - timedelta(1)).rows == []


def test_each_currency_is_its_own_book() -> None:
    posted = lines(("inventory", "100", "0"), ("grni", "0", "100")) + lines(
        ("ar", "11.30", "0"), ("revenue", "0", "10.00"), ("output_tax", "0", "1.30"), currency="USD"
    )
    tb = trial_balance(posted, DAY)
    # Rows by currency, then chart code.
    assert [(r["currency"], r["role"]) for r in tb.rows] == sorted(
        [(r["currency"], r["role"]) for r in tb.rows], key=lambda cr: (cr[0], DEFAULT_CHART[cr[1]][0])
    )
    assert {r["role"] for r in tb.rows if r["currency"] == "USD"} == {"ar", "revenue", "output_tax"}
    assert [(t["currency"], t["debit"], t["credit"]) for t in tb.totals or []] == [
        ("CNY", D(100), D(100)),
        ("USD", D("11.30"), D("11.30")),
    ]
    assert profit_and_loss(posted, DAY, DAY).extra == {"revenue": {"USD": "10.00"}, "expenses": {"USD": "0.00"}}
    sheet = balance_sheet(posted, DAY)
    assert sheet.extra["assets"] == {"CNY": "100.00", "USD": "11.30"}
    assert sheet.extra["equity"] == {"CNY": "0.00", "USD": "10.00"}
    assert [r["role"] for r in sheet.rows if r["currency"] == "USD"] == ["ar", "output_tax", "retained_profit"]


def test_aging_buckets_by_days_past_due_with_credit_negative() -> None:
    at = date(2026, 6, 30)
    items = [
        OpenItem("C1", "CNY", "INV-1", at, D(10)),  # due today: current
        OpenItem("C1", "CNY", "INV-2", at - timedelta(1), D(20)),  # 1 day late
        OpenItem("C1", "CNY", "INV-3", at - timedelta(30), D(30)),
        OpenItem("C1", "CNY", "INV-4", at - timedelta(31), D(40)),
        OpenItem("C1", "CNY", "INV-5", at - timedelta(90), D(50)),
        OpenItem("C1", "CNY", "INV-6", at - timedelta(91), D(60)),
        OpenItem("C2", "USD", "INV-7", at + timedelta(5), D(7)),
        OpenItem("C2", "USD", "INV-8", at - timedelta(500), D(0)),  # paid: no figure
    ]
    report = aging_report("ar", items, [Credit("C1", "CNY", D(5)), Credit("C3", "CNY", D(0))], at)
    [c1, c2] = report.rows
    assert [c1[k] for k in ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "credit")] == [
        D(10),
        D(50),
        D(40),
        D(50),
        D(60),
        D(-5),
    ]
    assert c1["total"] == D(205) and (c2["customer"], c2["currency"], c2["current"], c2["total"]) == (
        "C2",
        "USD",
        D(7),
        D(7),
    )
    assert [(t["currency"], t["total"]) for t in report.totals or []] == [("CNY", D(205)), ("USD", D(7))]
    assert "on_hold" not in c1


def test_ap_aging_shows_bills_on_hold_apart() -> None:
    at = date(2026, 6, 30)
    items = [OpenItem("ACME", "CNY", "BILL-1", at, D(10), on_hold=True), OpenItem("ACME", "CNY", "BILL-2", at, D(5))]
    [row] = aging_report("ap", items, [Credit("ACME", "CNY", D(3))], at).rows
    assert (row["supplier"], row["current"], row["prepaid"], row["total"], row["on_hold"]) == (
        "ACME",
        D(15),
        D(-3),
        D(12),
        D(10),
    )


async def test_low_stock_suggests_the_forecast_once_there_are_two_weeks_of_sales(store: FakeStore) -> None:
    await store.run(
        handlers.create_product, NewProduct(sku="LAMP", name="Lamp", reorder_point=D(10), reorder_max=D(50))
    )
    await buy(store, "LAMP", 200, 1)
    now = datetime.now(UTC)
    for days_ago in range(20, 0, -1):  # 3 a day for 20 days, shipped in the past
        order = await sell(store, {"LAMP": 3})
        assert order.id is not None
        await store.run(handlers.ship_sales_order, order.id, NewShipment(lines=[ShipLine(sku="LAMP", qty=D(3))]))
        store.tables.moves[-1].created_at = now - timedelta(days=days_ago)
    order = await sell(store, {"LAMP": 135})  # 200 − 60 − 135 = 5 available: low
    [alert] = [a for a in store.tables.alerts if a.cleared_at is None]
    # 20 days of 3, then today 0: the level is 0.7·3 = 2.1, 63 over 30 days; + the point 10 − 5 available.
    assert alert.suggested_qty == D(10) + D("2.1") * 30 - D(5)


async def test_low_stock_keeps_the_band_rule_with_little_history(store: FakeStore) -> None:
    await store.run(
        handlers.create_product, NewProduct(sku="LAMP", name="Lamp", reorder_point=D(10), reorder_max=D(50))
    )
    await buy(store, "LAMP", 20, 1)
    order = await sell(store, {"LAMP": 15})
    assert order.id is not None
    await store.run(handlers.ship_sales_order, order.id, NewShipment(lines=[ShipLine(sku="LAMP", qty=D(15))]))
    [alert] = [a for a in store.tables.alerts if a.cleared_at is None]
    assert alert.suggested_qty == 50 - 5


def test_allocations_are_dated_by_the_journal_entries_that_settled_them() -> None:
    """A payment dated 1 March allocated 3 + 2 at once, 4 on 5 March, 1 + 1 on 9 March."""
    allocations = [(1, D(3)), (2, D(2)), (3, D(4)), (4, D(1)), (5, D(1))]
    entries = [(DAY, D(5)), (DAY + timedelta(4), D(4)), (DAY + timedelta(8), D(2))]
    assert allocation_days(allocations, entries) == [
        DAY,
        DAY,
        DAY + timedelta(4),
        DAY + timedelta(8),
        DAY + timedelta(8),
    ]
    # Nothing allocated with the payment (its receipt credits no ar): the later entry dates both.
    assert (
        allocation_days([(1, D(3)), (2, D(2))], [(DAY, D(0)), (DAY + timedelta(2), D(5))]) == [DAY + timedelta(2)] * 2
    )
