"""The double-entry journal: what every financial fact is worth to the business.

Every document posts one :class:`JournalEntry` whose lines debit and credit accounts
with Σ debit = Σ credit — checked when the entry is built, so an unbalanced entry can
never be written. Entries are immutable; a correction is a reversing entry.

Lines name an account *role* (``inventory``, ``ar``, ``revenue`` …) and the business's
chart code that role mapped to when the entry was posted (:class:`Chart`). Two roles
are families with a suffix: ``expenses:<category>`` and ``clearing:<channel>``; one
not mapped on its own takes its family's code.

Stock postings come from the ledger's moves (:func:`stock_entries`), so the inventory
account always equals the stock value the ledger keeps:

    supplier  → warehouse   Dr inventory       Cr grni
    warehouse → customer    Dr cogs            Cr inventory
    customer  → warehouse   Dr inventory       Cr cogs        (restocked return)
    customer  → loss        Dr inventory_loss  Cr cogs        (scrapped return)
    warehouse → loss        Dr inventory_loss  Cr inventory   (count shortfall, scrap)
    loss      → warehouse   Dr inventory       Cr inventory_loss
    warehouse → production  Dr production_wip  Cr inventory
    production → warehouse  Dr inventory       Cr production_wip
    warehouse ↔ transit     (no entry: still ours)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from hub.core.errors import InvalidInput
from hub.core.ledger import CUSTOMER, INVENTORY_LOSS, PRODUCTION, SUPPLIER, TRANSIT, StockMove
from hub.core.numbers import ZERO
from hub.core.text import check_code

__all__ = [
    "DEFAULT_CHART",
    "FAMILIES",
    "KINDS",
    "Chart",
    "JournalEntry",
    "JournalLine",
    "Posting",
    "UnbalancedEntry",
    "kind_of",
    "stock_entries",
    "valid_role",
]

#: Every role with its default chart code and name, out of the box.
DEFAULT_CHART: dict[str, tuple[str, str]] = {
    "bank": ("1000", "Bank"),
    "clearing": ("1050", "Channel clearing"),
    "ar": ("1100", "Accounts receivable"),
    "inventory": ("1300", "Inventory"),
    "production_wip": ("1350", "Work in progress"),
    "input_tax": ("1400", "Input tax"),
    "ap": ("2100", "Accounts payable"),
    "grni": ("2150", "Goods received not invoiced"),
    "output_tax": ("2200", "Output tax"),
    "customer_credit": ("2300", "Customer credit"),
    "revenue": ("4000", "Sales revenue"),
    "shipping_revenue": ("4100", "Shipping revenue"),
    "discounts": ("4900", "Discounts given"),
    "cogs": ("5000", "Cost of goods sold"),
    "inventory_loss": ("5100", "Inventory loss"),
    "price_variance": ("5200", "Purchase price variance"),
    "expenses": ("6000", "Expenses"),
    "channel_fees": ("6200", "Channel fees"),
    "rounding": ("6900", "Rounding"),
}

#: What each role is in the accounts — the one table the reports classify by. Assets and
#: expenses are debit-balanced, liabilities, equity and revenue credit-balanced; the
#: profit and loss is the revenue and expense roles, the balance sheet the rest (with
#: the profit to date as its balancing line: no role is equity yet). ``discounts`` is
#: revenue given away (a contra-revenue, debit-balanced in practice).
KINDS: dict[str, str] = {
    "bank": "asset",
    "clearing": "asset",
    "ar": "asset",
    "inventory": "asset",
    "production_wip": "asset",
    "input_tax": "asset",
    "ap": "liability",
    "grni": "liability",
    "output_tax": "liability",
    "customer_credit": "liability",
    "revenue": "revenue",
    "shipping_revenue": "revenue",
    "discounts": "revenue",
    "cogs": "expense",
    "inventory_loss": "expense",
    "price_variance": "expense",
    "expenses": "expense",
    "channel_fees": "expense",
    "rounding": "expense",
}


def kind_of(role: str) -> str:
    """``asset``, ``liability``, ``equity``, ``revenue`` or ``expense`` (a family member as its family)."""
    return KINDS[role.partition(":")[0]]


#: Roles that take a suffix: ``expenses:freight``, ``clearing:shop``.
FAMILIES = frozenset({"expenses", "clearing"})


def valid_role(role: str) -> bool:
    """A role of :data:`DEFAULT_CHART`, or a family's member (``expenses:freight``)."""
    family, sep, suffix = role.partition(":")
    if not sep:
        return role in DEFAULT_CHART
    if family not in FAMILIES:
        return False
    try:
        check_code(suffix)  # a category or channel is named by a code
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Chart:
    """Which chart code each role posts to: the defaults, overridden by the business's own."""

    codes: Mapping[str, str] = field(default_factory=dict)

    def code(self, role: str) -> str:
        if role in self.codes:
            return self.codes[role]
        family = role.partition(":")[0]
        if family in self.codes:
            return self.codes[family]
        return DEFAULT_CHART[family][0]


@dataclass(eq=False)
class JournalLine:
    account: str
    role: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    tax_code: str | None = None
    party: str | None = None
    line_no: int = 0
    id: int | None = None
    entry_id: int | None = None


@dataclass(eq=False)
class JournalEntry:
    date: date
    source_type: str
    source_id: int
    currency: str
    lines: list[JournalLine]
    memo: str | None = None
    created_at: datetime | None = None
    id: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)


class UnbalancedEntry(InvalidInput):
    """A posting whose debits and credits differ: a bug in whatever built it."""


class Posting:
    """Collects debits and credits by role, then builds a balanced :class:`JournalEntry`.

    A negative amount goes to the other side; amounts on the same role, side, tax code
    and party are added together; zero lines are left out.
    """

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self._sums: dict[tuple[str, str | None, str | None], Decimal] = {}

    def debit(self, role: str, amount: Decimal, *, tax_code: str | None = None, party: str | None = None) -> None:
        key = (role, tax_code, party)
        self._sums[key] = self._sums.get(key, ZERO) + amount

    def credit(self, role: str, amount: Decimal, *, tax_code: str | None = None, party: str | None = None) -> None:
        self.debit(role, -amount, tax_code=tax_code, party=party)

    @property
    def empty(self) -> bool:
        return all(amount == 0 for amount in self._sums.values())

    def entry(self, chart: Chart, on: date, source: tuple[str, int], memo: str | None = None) -> JournalEntry:
        lines: list[JournalLine] = []
        for (role, tax_code, party), amount in self._sums.items():
            if amount == 0:
                continue
            debit, credit = (amount, ZERO) if amount > 0 else (ZERO, -amount)
            lines.append(
                JournalLine(
                    account=chart.code(role),
                    role=role,
                    debit=debit,
                    credit=credit,
                    tax_code=tax_code,
                    party=party,
                    line_no=len(lines) + 1,
                )
            )
        debits = sum((line.debit for line in lines), ZERO)
        credits = sum((line.credit for line in lines), ZERO)
        if debits != credits:
            raise UnbalancedEntry(f"journal entry for {source[0]} {source[1]} does not balance: {debits} ≠ {credits}")
        return JournalEntry(on, source[0], source[1], self.currency, lines, memo)


def _kind(location: str) -> str:
    if location in (SUPPLIER, CUSTOMER, INVENTORY_LOSS, TRANSIT, PRODUCTION):
        return location
    return "warehouse"


#: (source kind, destination kind) → (debit role, credit role) for a move's value.
_STOCK_ROLES: dict[tuple[str, str], tuple[str, str]] = {
    ("supplier", "warehouse"): ("inventory", "grni"),
    ("warehouse", "supplier"): ("grni", "inventory"),
    ("warehouse", "customer"): ("cogs", "inventory"),
    ("customer", "warehouse"): ("inventory", "cogs"),
    ("customer", INVENTORY_LOSS): ("inventory_loss", "cogs"),
    ("warehouse", INVENTORY_LOSS): ("inventory_loss", "inventory"),
    (INVENTORY_LOSS, "warehouse"): ("inventory", "inventory_loss"),
    ("warehouse", PRODUCTION): ("production_wip", "inventory"),
    (PRODUCTION, "warehouse"): ("inventory", "production_wip"),
}


def stock_entries(moves: Iterable[StockMove], chart: Chart, currency: str, on: date) -> list[JournalEntry]:
    """One entry per document the moves belong to, worth what the moves moved."""
    postings: dict[tuple[str, int], Posting] = {}
    for move in moves:
        roles = _STOCK_ROLES.get((_kind(move.source), _kind(move.destination)))
        if roles is None or move.value == 0:
            continue  # transit, or a move with no value
        posting = postings.setdefault((move.reference_type, move.reference_id), Posting(currency))
        posting.debit(roles[0], move.value)
        posting.credit(roles[1], move.value)
    return [posting.entry(chart, on, source) for source, posting in postings.items() if not posting.empty]
