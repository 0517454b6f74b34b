"""The trial balance, profit and loss, and balance sheet: sums of journal lines.

Each figure is a sum of posted lines grouped by chart code and role, so it can be
recomputed from ``/v1/journal`` alone. Roles are classified by :data:`hub.core.journal.KINDS`:
the profit and loss is the revenue and expense roles over a period, the balance sheet
the asset and liability roles at a date with the profit to date (revenue − expenses
since the first entry) as equity, the line that makes it balance.
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
    """A journal line as the reports need it: the entry's date, where it posted, how much."""

    date: date
    account: str
    role: str
    debit: Decimal
    credit: Decimal


def _sums(lines: Iterable[PostedLine]) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    sums: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for line in lines:
        debit, credit = sums.get((line.account, line.role), (ZERO, ZERO))
        sums[(line.account, line.role)] = (debit + line.debit, credit + line.credit)
    return dict(sorted(sums.items()))


def _balance(role: str, debit: Decimal, credit: Decimal) -> Decimal:
    """The balance on the role's normal side: debit − credit for assets and expenses."""
    return credit - debit if kind_of(role) in _CREDIT_SIDE else debit - credit


_ACCOUNT = [Column("account", "text", "chart code"), Column("role", "text"), Column("kind", "text")]


def trial_balance(lines: Iterable[PostedLine], at: date) -> Report:
    """Debits and credits to date per account; the totals agree (the journal balances)."""
    rows: list[dict[str, Any]] = []
    total_debit = total_credit = ZERO
    for (account, role), (debit, credit) in _sums(line for line in lines if line.date <= at).items():
        net = debit - credit
        rows.append(
            {
                "account": account,
                "role": role,
                "kind": kind_of(role),
                "debit": debit,
                "credit": credit,
                "balance_debit": max(net, ZERO),
                "balance_credit": max(-net, ZERO),
            }
        )
        total_debit, total_credit = total_debit + debit, total_credit + credit
    columns = [
        *_ACCOUNT,
        Column("debit", "money", "Σ debits to date"),
        Column("credit", "money", "Σ credits to date"),
        Column("balance_debit", "money", "debit balance"),
        Column("balance_credit", "money", "credit balance"),
    ]
    totals = {
        "account": "total",
        "debit": total_debit,
        "credit": total_credit,
        "balance_debit": sum((r["balance_debit"] for r in rows), ZERO),
        "balance_credit": sum((r["balance_credit"] for r in rows), ZERO),
    }
    return Report("trial-balance", columns, rows, {"at": at}, totals, ["entries dated on or before `at`"])


def profit_and_loss(lines: Iterable[PostedLine], start: date, end: date) -> Report:
    """Revenue less expenses over the period, per account; the total is the net profit."""
    rows = []
    revenue = expenses = ZERO
    for (account, role), (debit, credit) in _sums(line for line in lines if start <= line.date <= end).items():
        kind = kind_of(role)
        if kind not in ("revenue", "expense"):
            continue
        amount = _balance(role, debit, credit)
        rows.append({"account": account, "role": role, "kind": kind, "amount": amount})
        if kind == "revenue":
            revenue += amount
        else:
            expenses += amount
    rows.sort(key=lambda r: (r["kind"] != "revenue", r["account"], r["role"]))
    columns = [*_ACCOUNT, Column("amount", "money", "revenue: credit − debit; expense: debit − credit")]
    totals = {"account": "net profit", "amount": revenue - expenses}
    notes = ["net profit = Σ revenue − Σ expense over entries dated from `from` to `to`"]
    report = Report("profit-and-loss", columns, rows, {"from": start, "to": end}, totals, notes)
    report.extra = {"revenue": money_text(revenue), "expenses": money_text(expenses)}
    return report


def balance_sheet(lines: Iterable[PostedLine], at: date) -> Report:
    """Assets = liabilities + equity at ``at``; equity is the profit to date."""
    rows = []
    totals = {"asset": ZERO, "liability": ZERO, "profit": ZERO}
    for (account, role), (debit, credit) in _sums(line for line in lines if line.date <= at).items():
        kind = kind_of(role)
        amount = _balance(role, debit, credit)
        if kind in ("revenue", "expense"):
            totals["profit"] += amount if kind == "revenue" else -amount
            continue
        rows.append({"account": account, "role": role, "kind": kind, "amount": amount})
        totals["asset" if kind == "asset" else "liability"] += amount
    rows.sort(key=lambda r: (r["kind"] != "asset", r["account"], r["role"]))
    rows.append({"account": "", "role": "retained_profit", "kind": "equity", "amount": totals["profit"]})
    columns = [*_ACCOUNT, Column("amount", "money", "assets: debit − credit; liabilities, equity: credit − debit")]
    notes = [
        "retained_profit is revenue − expenses over every entry to `at`: the balancing line",
        "assets = liabilities + equity, always (every entry balances)",
    ]
    report = Report("balance-sheet", columns, rows, {"at": at}, None, notes)
    report.extra = {
        "assets": money_text(totals["asset"]),
        "liabilities": money_text(totals["liability"]),
        "equity": money_text(totals["profit"]),
    }
    return report
