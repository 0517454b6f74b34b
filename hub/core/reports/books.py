"""The trial balance, profit and loss, and balance sheet: sums of journal lines.

Each figure is a sum of posted lines grouped by chart code and role, so it can be
recomputed from ``/v1/journal`` alone. Roles are classified by :data:`hub.core.journal.KINDS`:
the profit and loss is the revenue and expense roles over a period, the balance sheet
the asset and liability roles at a date with the profit to date (revenue − expenses
since the first entry) as equity, the line that makes it balance.

Every figure is per currency (``journal_entries.currency``): invoices and payments post
in their document's currency, stock in the hub's, and amounts in two currencies never
add up. Each currency's entries balance on their own, so each currency's report does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from hub.core.journal import kind_of
from hub.core.numbers import ZERO
from hub.core.reports.table import Column, Report, money_text

__all__ = ["PostedLine", "balance_sheet", "profit_and_loss", "trial_balance"]

_CREDIT_SIDE = frozenset({"liability", "equity", "revenue"})


@dataclass(frozen=True, slots=True)
class PostedLine:
    """A journal line as the reports need it: the entry's date and currency, where it posted, how much."""

    date: date
    account: str
    role: str
    debit: Decimal
    credit: Decimal
    currency: str


Key = tuple[str, str, str]  # currency, account, role


def _sums(lines: Iterable[PostedLine]) -> dict[Key, tuple[Decimal, Decimal]]:
    """Σ debit and Σ credit per currency, account and role: amounts in two currencies never add."""
    sums: dict[Key, tuple[Decimal, Decimal]] = {}
    for line in lines:
        key = (line.currency, line.account, line.role)
        debit, credit = sums.get(key, (ZERO, ZERO))
        sums[key] = (debit + line.debit, credit + line.credit)
    return dict(sorted(sums.items()))


def _balance(role: str, debit: Decimal, credit: Decimal) -> Decimal:
    """The balance on the role's normal side: debit − credit for assets and expenses."""
    return credit - debit if kind_of(role) in _CREDIT_SIDE else debit - credit


_ACCOUNT = [
    Column("currency", "text", "the entries' currency: each currency balances on its own"),
    Column("account", "text", "chart code"),
    Column("role", "text"),
    Column("kind", "text"),
]


def _by_currency(amounts: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, str]]:
    return {currency: {k: money_text(v) for k, v in figures.items()} for currency, figures in sorted(amounts.items())}


def trial_balance(lines: Iterable[PostedLine], at: date) -> Report:
    """Debits and credits to date per currency and account; each currency's totals agree."""
    rows: list[dict[str, Any]] = []
    totals: dict[str, dict[str, Any]] = {}
    for (currency, account, role), (debit, credit) in _sums(line for line in lines if line.date <= at).items():
        net = debit - credit
        row = {
            "currency": currency,
            "account": account,
            "role": role,
            "kind": kind_of(role),
            "debit": debit,
            "credit": credit,
            "balance_debit": max(net, ZERO),
            "balance_credit": max(-net, ZERO),
        }
        rows.append(row)
        total = totals.setdefault(
            currency,
            {"currency": currency, "account": "total"} | dict.fromkeys(_TB_MONEY, ZERO),
        )
        for name in _TB_MONEY:
            total[name] += row[name]
    columns = [
        *_ACCOUNT,
        Column("debit", "money", "Σ debits to date"),
        Column("credit", "money", "Σ credits to date"),
        Column("balance_debit", "money", "debit balance"),
        Column("balance_credit", "money", "credit balance"),
    ]
    notes = ["entries dated on or before `at`", "a totals row per currency: debits = credits in each"]
    return Report("trial-balance", columns, rows, {"at": at}, list(totals.values()), notes)


_TB_MONEY = ("debit", "credit", "balance_debit", "balance_credit")


def profit_and_loss(lines: Iterable[PostedLine], start: date, end: date) -> Report:
    """Revenue less expenses over the period, per currency and account; a net profit per currency."""
    rows = []
    sums: dict[str, dict[str, Decimal]] = {}
    for (currency, account, role), (debit, credit) in _sums(
        line for line in lines if start <= line.date <= end
    ).items():
        kind = kind_of(role)
        if kind not in ("revenue", "expense"):
            continue
        amount = _balance(role, debit, credit)
        rows.append({"currency": currency, "account": account, "role": role, "kind": kind, "amount": amount})
        figures = sums.setdefault(currency, {"revenue": ZERO, "expenses": ZERO})
        figures["revenue" if kind == "revenue" else "expenses"] += amount
    rows.sort(key=lambda r: (r["currency"], r["kind"] != "revenue", r["account"], r["role"]))
    columns = [*_ACCOUNT, Column("amount", "money", "revenue: credit − debit; expense: debit − credit")]
    totals = [
        {"currency": currency, "account": "net profit", "amount": f["revenue"] - f["expenses"]}
        for currency, f in sorted(sums.items())
    ]
    notes = [
        "net profit = Σ revenue − Σ expense over entries dated from `from` to `to`, per currency",
        "revenue and expenses: per currency",
    ]
    report = Report("profit-and-loss", columns, rows, {"from": start, "to": end}, totals, notes)
    by_currency = _by_currency(sums)
    report.extra = {
        "revenue": {c: f["revenue"] for c, f in by_currency.items()},
        "expenses": {c: f["expenses"] for c, f in by_currency.items()},
    }
    return report


def balance_sheet(lines: Iterable[PostedLine], at: date) -> Report:
    """Assets = liabilities + equity at ``at`` in each currency; equity is the profit to date."""
    rows = []
    sums: dict[str, dict[str, Decimal]] = {}
    for (currency, account, role), (debit, credit) in _sums(line for line in lines if line.date <= at).items():
        kind = kind_of(role)
        amount = _balance(role, debit, credit)
        figures = sums.setdefault(currency, {"assets": ZERO, "liabilities": ZERO, "equity": ZERO})
        if kind in ("revenue", "expense"):
            figures["equity"] += amount if kind == "revenue" else -amount
            continue
        rows.append({"currency": currency, "account": account, "role": role, "kind": kind, "amount": amount})
        figures["assets" if kind == "asset" else "liabilities"] += amount
    for currency, figures in sums.items():
        rows.append(
            {
                "currency": currency,
                "account": "",
                "role": "retained_profit",
                "kind": "equity",
                "amount": figures["equity"],
            }
        )
    rows.sort(
        key=lambda r: (r["currency"], r["kind"] != "asset", r["role"] == "retained_profit", r["account"], r["role"])
    )
    columns = [*_ACCOUNT, Column("amount", "money", "assets: debit − credit; liabilities, equity: credit − debit")]
    notes = [
        "retained_profit is revenue − expenses over every entry to `at`: the balancing line, per currency",
        "assets = liabilities + equity in each currency, always (every entry balances)",
    ]
    report = Report("balance-sheet", columns, rows, {"at": at}, None, notes)
    by_currency = _by_currency(sums)
    report.extra = {name: {c: f[name] for c, f in by_currency.items()} for name in ("assets", "liabilities", "equity")}
    return report
