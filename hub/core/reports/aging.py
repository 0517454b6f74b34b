"""Receivables and payables aging: what each party owes (or is owed), by days past due.

Built from :class:`OpenItem` facts (an invoice's or a bill's amount due as at the day)
and :class:`Credit` facts (a customer's unallocated payments and unapplied credit notes,
a supplier's prepayments), which ``hub.db.reports`` reads as at the day. One row per
party and currency; the buckets count days past the due date at ``at``:

    current  not yet due (due on or after ``at``)
    1-30 · 31-60 · 61-90 · over 90 days past due

The credit column is negative, so ``total`` is what the party owes net: for customers
Σ open amounts due − customer credit, the ``ar`` journal balance of the party less its
``customer_credit`` balance. Bills on hold are owed and aged with the rest, but their
amount is also shown apart (``on_hold``): they post nothing until approved, so the
supplier's ``ap`` balance is ``total − on_hold``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from hub.core.numbers import ZERO
from hub.core.reports.table import Column, Report

__all__ = ["BUCKETS", "Credit", "OpenItem", "aging_report", "allocation_days", "bucket_of"]

Side = Literal["ar", "ap"]

#: Bucket columns and the days past due each holds (inclusive), oldest last.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("current", -(10**6), 0),
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("days_over_90", 91, None),
)


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An invoice or bill with something still due at the report's day."""

    party: str
    currency: str
    number: str
    due_date: date
    amount_due: Decimal
    on_hold: bool = False


@dataclass(frozen=True, slots=True)
class Credit:
    """Money a party has with us not set against any document (a positive amount)."""

    party: str
    currency: str
    amount: Decimal


def bucket_of(due_date: date, at: date) -> str:
    """The bucket of a document due on ``due_date``, seen at ``at``."""
    late = (at - due_date).days
    for name, low, high in BUCKETS:
        if low <= late and (high is None or late <= high):
            return name
    raise AssertionError(late)  # pragma: no cover - the buckets cover every integer


def allocation_days(allocations: Iterable[tuple[int, Decimal]], settled: Iterable[tuple[date, Decimal]]) -> list[date]:
    """The day each of a payment's allocations was made, as the journal dates it.

    ``allocations`` are the payment's (id order) with their amounts; ``settled`` its
    journal entries (id order) with the day and Σ ``ar`` credited: the receipt's, dated
    the payment's date, then one per later allocation call, dated the day it was made.
    Allocations are recorded in the order the entries were, so each entry's ``ar`` credit
    is the sum of the next allocations. Allocations carry only their creation time, which
    for a backdated payment is not the day the journal says they settled the invoice."""
    days: list[date] = []
    entries = iter([(day, amount) for day, amount in settled if amount])
    day, left = date.min, ZERO
    for _, amount in allocations:
        if left <= 0:
            day, left = next(entries, (day, amount))
        days.append(day)
        left -= amount
    return days


_WORDS = {
    "ar": ("customer", "credit", "unallocated payments and unapplied credit notes, negative"),
    "ap": ("supplier", "prepaid", "supplier payments not set against bills (prepayments), negative"),
}


def aging_report(side: Side, items: Iterable[OpenItem], credits: Iterable[Credit], at: date) -> Report:
    """One row per party and currency, a totals row per currency."""
    party, credit, credit_words = _WORDS[side]
    money = [name for name, *_ in BUCKETS] + [credit, "total"] + (["on_hold"] if side == "ap" else [])
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(who: str, currency: str) -> dict[str, Any]:
        return rows.setdefault((currency, who), {party: who, "currency": currency} | dict.fromkeys(money, ZERO))

    for item in items:
        if item.amount_due == 0:
            continue
        r = row(item.party, item.currency)
        r[bucket_of(item.due_date, at)] += item.amount_due
        r["total"] += item.amount_due
        if item.on_hold:
            r["on_hold"] += item.amount_due
    for c in credits:
        if c.amount == 0:
            continue
        r = row(c.party, c.currency)
        r[credit] -= c.amount
        r["total"] -= c.amount
    ordered = [rows[key] for key in sorted(rows)]
    totals: list[dict[str, Any]] = []
    for r in ordered:
        if not totals or totals[-1]["currency"] != r["currency"]:
            totals.append({party: "total", "currency": r["currency"]} | dict.fromkeys(money, ZERO))
        for name in money:
            totals[-1][name] += r[name]
    document = "invoices" if side == "ar" else "bills"
    columns = [
        Column(party, "text"),
        Column("currency", "text", "the documents' currency"),
        Column("current", "money", "amount due, not yet due at `at`"),
        Column("days_1_30", "money", "amount due 1-30 days past its due date"),
        Column("days_31_60", "money", "amount due 31-60 days past its due date"),
        Column("days_61_90", "money", "amount due 61-90 days past its due date"),
        Column("days_over_90", "money", "amount due more than 90 days past its due date"),
        Column(credit, "money", credit_words),
        Column("total", "money", "Σ buckets + the credit column: what the party owes net"),
    ]
    if side == "ap":
        columns.append(Column("on_hold", "money", "part of the buckets in bills on hold (owed, not yet posted)"))
    notes = [
        f"{document} issued on or before `at`, with payments and credit notes dated on or before `at`",
        "days past due = `at` − due date; current: due on or after `at`",
    ]
    if side == "ar":
        notes += [
            "a void invoice counts as at the days before its void (the void entry's date)",
            "an allocation counts from the day the journal dates it: its payment's date when made with "
            "the payment, else the day it was made",
            "total = Σ open amounts due − customer credit = the party's `ar` balance + `customer_credit` balance",
        ]
    else:
        notes += [
            "bills on hold are owed and aged with the rest; `on_hold` shows their part (ap balance = total − on_hold)",
            "on hold means on hold now: the day a bill was approved is not kept",
            "an allocation counts from its date: its payment's date when made with the payment, "
            "else the day it was made (allocations made before the hub kept their day count from "
            "their payment's date)",
        ]
    return Report(f"{side}-aging", columns, ordered, {"at": at}, totals, notes)
