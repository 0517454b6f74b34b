"""Expenses (费用): costs that are not goods — freight, storage, selling, admin.

An expense's amount is tax-exclusive; its tax comes from its tax code like a one-unit
line (:func:`hub.core.tax.price_line`). It posts

    Dr expenses:<category>   the net        (or, landed: Dr inventory / Dr cogs, below)
    Dr input_tax             the tax
    Cr ap (party: supplier)  the total      (Cr bank when no supplier is named: paid)

**Landed cost.** Freight in may be ``landed_on_receipt``: its net is shared over that
receipt's lines pro rata by their value (accepted × unit cost), and each SKU's stock
absorbs its share — the value rises, the moving-average cost is recomputed, and a
value-only stock move (qty 0, reference ``expense``) records it in the ledger, so the
inventory account still equals the stock value. Only stock still owned can absorb: a
share is capitalised in the proportion of the receipt's quantity still held (the SKU's
owned quantity, capped at what the receipt accepted), and the rest — goods already
sold or written off — goes to ``cogs``, where their cost went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from hub.core.journal import Posting
from hub.core.numbers import ZERO, quantize

__all__ = ["Expense", "LandedShare", "landed_shares"]


@dataclass(eq=False)
class Expense:
    number: str
    category: str
    currency: str
    date: date
    net: Decimal
    tax: Decimal
    total: Decimal
    tax_code: str | None = None
    tax_rate: Decimal = ZERO
    supplier: str | None = None
    reference: str | None = None
    landed_on_receipt: int | None = None
    #: Of the net, what stock absorbed (landed) and what went to cogs (landed, not on hand).
    capitalised: Decimal = ZERO
    expensed_to_cogs: Decimal = ZERO
    created_at: datetime | None = None
    id: int | None = None

    @property
    def role(self) -> str:
        return f"expenses:{self.category}"

    def posting(self) -> Posting:
        posting = Posting(self.currency)
        if self.landed_on_receipt is None:
            posting.debit(self.role, self.net)
        else:
            posting.debit("inventory", self.capitalised)
            posting.debit("cogs", self.expensed_to_cogs)
        posting.debit("input_tax", self.tax, tax_code=self.tax_code)
        if self.supplier is not None:
            posting.credit("ap", self.total, party=self.supplier)
        else:
            posting.credit("bank", self.total)
        return posting


@dataclass(frozen=True, slots=True)
class LandedShare:
    sku: str
    #: The receipt line's part of the cost.
    share: Decimal
    #: How much of it the stock still held absorbs; the rest goes to cogs.
    capitalised: Decimal


def landed_shares(
    lines: Sequence[tuple[str, Decimal, Decimal]], amount: Decimal, held: dict[str, Decimal]
) -> list[LandedShare]:
    """Share ``amount`` over receipt lines ``(sku, accepted, unit_cost)`` by value.

    ``held`` is each SKU's quantity owned now. The last line takes what rounding left,
    so the shares add up to ``amount`` exactly. Lines worth nothing share by quantity.
    """
    lines = [line for line in lines if line[1] > 0]
    weights = [accepted * cost for _, accepted, cost in lines]
    if sum(weights, ZERO) == 0:
        weights = [accepted for _, accepted, _ in lines]
    whole = sum(weights, ZERO)
    shares: list[LandedShare] = []
    left = amount
    for i, ((sku, accepted, _), weight) in enumerate(zip(lines, weights, strict=True)):
        share = left if i == len(lines) - 1 else quantize(amount * weight / whole)
        left -= share
        kept = min(max(held.get(sku, ZERO), ZERO), accepted)
        shares.append(LandedShare(sku, share, quantize(share * kept / accepted)))
    return shares
