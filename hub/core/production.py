"""Production in and out (生产领料 / 生产入库): materials issued, finished goods received.

An issue moves materials from a warehouse to the virtual ``production`` location at
average cost; their value leaves stock for work in progress. A receipt moves finished
goods from ``production`` into a warehouse, valued at exactly what the issues it names
cost — so work in progress empties as it is consumed, and nothing is revalued on the
way. An issue is consumed by one receipt only.

The materials' cost is split over the receipt's lines by quantity (:func:`split_cost`),
so the goods arrive worth the issues' total to the last decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from hub.core.errors import Conflict, InsufficientStock
from hub.core.ledger import Reference, StockBook
from hub.core.numbers import ZERO, quantize

__all__ = ["ProductionIssue", "ProductionLine", "ProductionReceipt", "split_cost"]


@dataclass(eq=False)
class ProductionLine:
    """A line of an issue or a receipt: ``cost`` is what its move carried."""

    sku: str
    qty: Decimal
    cost: Decimal = ZERO
    id: int | None = None
    issue_id: int | None = None
    receipt_id: int | None = None


@dataclass(eq=False)
class ProductionIssue:
    warehouse: str
    lines: list[ProductionLine]
    #: The receipt that consumed it; None while the materials are still work in progress.
    receipt_id: int | None = None
    created_at: datetime | None = None
    id: int | None = None

    @property
    def cost(self) -> Decimal:
        return sum((line.cost for line in self.lines), ZERO)

    def issue(self, book: StockBook) -> None:
        """warehouse → production for every line, or nothing if any line is short."""
        assert self.id is not None, "an issue moves stock once it has an id"
        shortages = [
            s for i, line in enumerate(self.lines) if (s := book.shortage(line.sku, self.warehouse, line.qty, i))
        ]
        if shortages:
            raise InsufficientStock(shortages)
        for line in self.lines:
            line.cost = book.issue_to_production(
                line.sku, self.warehouse, line.qty, Reference("production_issue", self.id)
            ).value


@dataclass(eq=False)
class ProductionReceipt:
    warehouse: str
    lines: list[ProductionLine]
    #: The issues whose materials became these goods, in the order named.
    from_issues: list[int] = field(default_factory=list)
    created_at: datetime | None = None
    id: int | None = None

    @property
    def cost(self) -> Decimal:
        return sum((line.cost for line in self.lines), ZERO)

    @staticmethod
    def check_unconsumed(issue: ProductionIssue, field: str) -> None:
        if issue.receipt_id is not None:
            raise Conflict(
                f"production issue {issue.id} was already consumed by production receipt {issue.receipt_id}",
                field=field,
            )

    def receive(self, issues: Sequence[ProductionIssue], book: StockBook) -> None:
        """Consume ``issues`` and bring the goods in at their total cost.

        Refused as a whole (:class:`Conflict` naming the field) if any issue was already
        consumed by another receipt."""
        assert self.id is not None, "a receipt moves stock once it has an id"
        for i, issue in enumerate(issues):
            self.check_unconsumed(issue, f"from_issues[{i}]")
        total = sum((issue.cost for issue in issues), ZERO)
        shares = split_cost(total, [line.qty for line in self.lines])
        for line, share in zip(self.lines, shares, strict=True):
            move = book.receive_from_production(
                line.sku, self.warehouse, line.qty, share, Reference("production_receipt", self.id)
            )
            line.cost = move.value
        for issue in issues:
            issue.receipt_id = self.id
        self.from_issues = [issue.id for issue in issues if issue.id is not None]


def split_cost(total: Decimal, quantities: Sequence[Decimal]) -> list[Decimal]:
    """``total`` shared over ``quantities`` in proportion, to the stored places.

    Each share is the rounded running total less the one before it: the shares add up
    to ``total`` exactly and none is negative (rounding each share on its own and giving
    the last one the rest can leave the last below zero when many round up)."""
    whole = sum(quantities, ZERO)
    shares: list[Decimal] = []
    running, before = ZERO, ZERO
    for qty in quantities:
        running += qty
        upto = total if running == whole else quantize(total * running / whole)
        shares.append(upto - before)
        before = upto
    return shares
